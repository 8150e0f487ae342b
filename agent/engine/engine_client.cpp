#include "agent/engine/engine_client.hpp"

#include "shared/core/safe_text.hpp"

#include "agent/engine/api_version.hpp"

namespace phoenix::agent::engine {
namespace http = boost::beast::http;

Result<EngineClient> EngineClient::for_unix_socket(const std::string& path,
                                                   HttpClientOptions options) {
  auto http_client = HttpClient::create(UnixSocketEndpoint{path}, options);
  if (!http_client) return http_client.error();
  return EngineClient(std::move(*http_client));
}

Result<PingResult> EngineClient::ping() {
  auto response = http_.request(http::verb::get, "/_ping");
  if (!response) return response.error();
  if (!response->is_success()) {
    return make_error("http_error", describe(http_.endpoint()) + " answered /_ping with HTTP " +
                                        std::to_string(response->status) + ": " +
                                        engine_error_message(response->body));
  }
  PingResult out;
  out.server_api_version = response->header("Api-Version");
  out.negotiated_version = negotiate_api_version(out.server_api_version);
  out.os_type = response->header("OSType");
  out.swarm = response->header("Swarm");
  api_version_ = out.negotiated_version;
  return out;
}

Result<HttpResponse> EngineClient::call(http::verb method, std::string_view path,
                                        std::string_view body_json) {
  if (!api_version_) {
    auto pinged = ping();
    if (!pinged) return pinged.error();
  }
  const std::string target = "/v" + *api_version_ + std::string(path);
  return http_.request(method, target, body_json);
}

Result<nlohmann::json> EngineClient::checked_json(Result<HttpResponse> response,
                                                  std::string_view path) {
  if (!response) return response.error();
  if (!response->is_success()) {
    const std::string message = engine_error_message(response->body);
    return make_error("http_error", "dockerd answered " + std::string(path) + " with HTTP " +
                                        std::to_string(response->status) +
                                        (message.empty() ? std::string() : ": " + message));
  }
  if (response->body.empty()) return nlohmann::json(nullptr);
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded()) {
    return make_error("invalid_response",
                      "dockerd answered " + std::string(path) + " with a body that is not JSON");
  }
  return json;
}

Result<nlohmann::json> EngineClient::get(std::string_view path) {
  return checked_json(call(http::verb::get, path), path);
}

Result<nlohmann::json> EngineClient::post(std::string_view path, const nlohmann::json& body) {
  const std::string text = body.is_null() ? std::string() : dump_json(body);
  return checked_json(call(http::verb::post, path, text), path);
}

Result<nlohmann::json> EngineClient::version() { return get("/version"); }

Result<nlohmann::json> EngineClient::info() { return get("/info"); }

}  // namespace phoenix::agent::engine
