#include "hub/http/json_response.hpp"

#include "shared/core/safe_text.hpp"

#include "phoenix/version.hpp"

namespace phoenix::hub::http {

Response json_response(Status status, const nlohmann::json& body) {
  Response res{status, 11};
  res.set(beast_http::field::content_type, "application/json");
  res.set(beast_http::field::server, std::string("phoenix-hub/") + kVersion);
  res.set(beast_http::field::cache_control, "no-store");
  // `replace` keeps invalid UTF-8 from a driver's message from throwing here.
  res.body() = dump_json(body);
  res.body() += '\n';
  res.prepare_payload();
  return res;
}

Response error_response(Status status, const std::string& code, const std::string& message) {
  return json_response(status, {{"error", {{"code", code}, {"message", message}}}});
}

}  // namespace phoenix::hub::http
