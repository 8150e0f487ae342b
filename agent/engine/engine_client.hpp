#pragma once
// The Docker Engine API as the agent uses it: negotiate the API version with /_ping, then
// versioned calls (/v1.41/info, /v1.41/swarm/init, …). Non-2xx answers become Error
// "http_error" carrying dockerd's own {"message": …}. Transport errors are HttpClient's.
#include "agent/engine/http_client.hpp"
#include "shared/core/error.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace phoenix::agent::engine {

struct PingResult {
  std::string server_api_version;  // Api-Version header ("" if absent)
  std::string negotiated_version;  // what this client now uses
  std::string os_type;             // OSType header, e.g. "linux"
  std::string swarm;               // Swarm header if sent, e.g. "inactive", "active/manager"
};

class EngineClient {
 public:
  explicit EngineClient(HttpClient http) : http_(std::move(http)) {}

  // The default local daemon: unix socket, default options.
  static Result<EngineClient> for_unix_socket(const std::string& path,
                                              HttpClientOptions options = {});

  // GET /_ping (no version prefix); records the negotiated version for later calls.
  Result<PingResult> ping();

  Result<nlohmann::json> version();  // GET /version: Version, ApiVersion, Os, …
  Result<nlohmann::json> info();     // GET /info: Swarm.LocalNodeState, Swarm.NodeID, …

  // Versioned calls; `path` starts with '/' and may carry a query ("/swarm/leave?force=true").
  // Negotiates first if ping() was not called. An empty 2xx body gives a null json.
  Result<nlohmann::json> get(std::string_view path);
  Result<nlohmann::json> post(std::string_view path, const nlohmann::json& body = nullptr);

  // The raw versioned exchange (any status), for callers that branch on the status.
  Result<HttpResponse> call(boost::beast::http::verb method, std::string_view path,
                            std::string_view body_json = {});

  // Negotiated version, or nullopt before the first successful ping.
  const std::optional<std::string>& api_version() const { return api_version_; }
  const HttpClient& http() const { return http_; }

 private:
  Result<nlohmann::json> checked_json(Result<HttpResponse> response, std::string_view path);

  HttpClient http_;
  std::optional<std::string> api_version_;
};

}  // namespace phoenix::agent::engine
