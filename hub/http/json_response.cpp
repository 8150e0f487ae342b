#include "hub/http/json_response.hpp"

#include "phoenix/version.hpp"

namespace phoenix::hub::http {

Response json_response(Status status, const nlohmann::json& body) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::server, std::string("phoenix-hub/") + kVersion);
  res.set(beast_http::field::cache_control, "no-store");
  // `replace` keeps invalid UTF-8 from a driver's message from throwing here.
  res.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  res.body() += '\n';
  res.prepare_payload();
  return res;
}

Response error_response(Status status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

}  // namespace phoenix::hub::http
