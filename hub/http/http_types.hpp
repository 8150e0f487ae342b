#pragma once
// The vocabulary shared by the hub's HTTP server, router and routes: Beast string-body messages,
// the streamed bodies of server-sent events, and the asynchronous `Respond` a handler answers
// through.
#include <boost/beast/http.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

namespace phoenix::hub::http {

namespace beast_http = boost::beast::http;

using Request = beast_http::request<beast_http::string_body>;
using Response = beast_http::response<beast_http::string_body>;
using Status = beast_http::status;
using Verb = beast_http::verb;

// A response body produced over time (GET /events): the connection pulls text from it and writes it
// as it comes, until the stream ends or the client goes away. Thread-safe.
class ResponseStream {
 public:
  using Ready = std::function<void(std::optional<std::string> text)>;
  virtual ~ResponseStream() = default;
  // Calls `ready` exactly once, on any thread: with the (non-empty) text queued so far as soon as
  // there is some, or with nullopt once the stream has ended. One call at a time.
  virtual void next(Ready ready) = 0;
  // The connection is gone: release what the stream holds; a pending `next` gets nullopt.
  virtual void cancel() = 0;
};

// Hands the finished response back to the connection. It may be called from any thread, later than
// the handler returns; only the first answer counts. Built from any callable taking a Response
// (tests); the server's own also streams.
class Respond {
 public:
  using Send = std::function<void(Response)>;
  using Stream = std::function<void(Response head, std::shared_ptr<ResponseStream> body)>;

  Respond() = default;
  template <class F>
  requires(std::is_invocable_v<F &, Response> && !std::is_same_v<std::decay_t<F>, Respond>) Respond(F send)
      : send_(std::move(send)) {}  // NOLINT(google-explicit-constructor): a callable is a Respond
  Respond(Send send, Stream stream) : send_(std::move(send)), stream_(std::move(stream)) {}

  void operator()(Response response) const { send_(std::move(response)); }
  // Answers with `head`'s status and headers, then `body`'s text as it comes. Where the connection
  // cannot stream, answers 500 instead and cancels `body`.
  void stream(Response head, std::shared_ptr<ResponseStream> body) const;
  // This Respond, with `observe` told the status of whatever is answered first.
  Respond observed(std::function<void(unsigned status)> observe) const;

 private:
  Send send_;
  Stream stream_;
};

// What the server calls for every complete request it has read.
using RequestHandler = std::function<void(const Request &, Respond)>;

}  // namespace phoenix::hub::http
