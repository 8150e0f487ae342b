#include "hub/http/http_types.hpp"
#include "hub/http/json_response.hpp"

namespace phoenix::hub::http {

void Respond::stream(Response head, std::shared_ptr<ResponseStream> body) const {
  if (stream_) return stream_(std::move(head), std::move(body));
  if (body) body->cancel();
  send_(error_response(Status::internal_server_error, "internal_error", "this connection cannot stream"));
}

Respond Respond::observed(std::function<void(unsigned status)> observe) const {
  Send send = [send = send_, observe](Response response) {
    observe(response.result_int());
    send(std::move(response));
  };
  Stream stream;
  if (stream_) {
    stream = [stream = stream_, observe](Response head, std::shared_ptr<ResponseStream> body) {
      observe(head.result_int());
      stream(std::move(head), std::move(body));
    };
  }
  return Respond(std::move(send), std::move(stream));
}

}  // namespace phoenix::hub::http
