#include "hub/admin/hub_paths.hpp"

#include "shared/config/config_object.hpp"

namespace phoenix::hub {

HubPaths hub_paths(const std::string& state_dir) {
  std::string root = state_dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  HubPaths p;
  p.state_dir = root;
  p.ca_dir = root + "/ca";
  p.identity_ca_cert = p.ca_dir + "/identity-ca.pem";
  p.identity_ca_key = p.ca_dir + "/identity-ca.key";
  p.docker_ca_cert = p.ca_dir + "/docker-ca.pem";
  p.docker_ca_key = p.ca_dir + "/docker-ca.key";
  p.tls_dir = root + "/tls";
  p.hub_cert = p.tls_dir + "/hub-cert.pem";
  p.hub_key = p.tls_dir + "/hub-key.pem";
  p.database = root + "/hub.db";
  p.logs_dir = root + "/logs";
  return p;
}

std::string host_of_wss_url(const std::string& url) {
  constexpr std::string_view scheme = "wss://";
  if (url.rfind(scheme, 0) != 0) return {};
  std::string_view rest(url);
  rest.remove_prefix(scheme.size());
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string_view::npos) return {};  // no userinfo in a hub URL
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return {};
    return std::string(rest.substr(1, close - 1));
  }
  return std::string(rest.substr(0, rest.find(':')));
}

Result<AdminConfig> load_admin_config(const fs::FileSystem& fs, const std::string& config_path) {
  AdminConfig out;
  if (!fs.exists(config_path)) return out;
  out.config_path = config_path;
  try {
    const config::ConfigObject top(config::load_json_file(fs, config_path), config_path);
    out.has_api_tokens = !top.object("api").objects("tokens").empty();
    const auto endpoint = top.object("agent_endpoint");
    out.public_url = endpoint.optional_string("public_url");
    if (out.public_url && host_of_wss_url(*out.public_url).empty()) {
      endpoint.fail("public_url", "must look like wss://HOST:PORT (the address agents dial)");
    }
  } catch (const config::ConfigError& e) {
    return make_error("config_invalid", e.what());
  }
  return out;
}

}  // namespace phoenix::hub
