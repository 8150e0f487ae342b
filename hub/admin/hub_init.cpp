#include "hub/admin/hub_init.hpp"

#include "shared/core/safe_text.hpp"

#include "hub/admin/enroll_secret.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/x509_names.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <climits>
#include <set>

namespace phoenix::hub {
namespace {

struct ServerNames {
  std::set<std::string> dns{"localhost"};
  std::set<std::string> ips{"127.0.0.1", "::1"};
};

// An IP if it parses as one, else a DNS name; anything else is refused by name.
Result<void> add_name(ServerNames& names, const std::string& text, const std::string& origin) {
  if (auto ip = pki::canonical_ip(text)) {
    names.ips.insert(*ip);
    return ok();
  }
  auto dns = pki::canonical_dns_name(text);
  if (!dns) {
    return make_error("invalid_name", origin + " \"" + text.substr(0, 64) +
                                          "\" is neither an IP address nor a DNS name");
  }
  names.dns.insert(*dns);
  return ok();
}

struct Minted {
  pki::CertificateAuthority identity_ca;
  pki::CertificateAuthority docker_ca;
  pki::PrivateKey server_key;
  pki::Certificate server_cert;
};

Result<Minted> mint(const ServerNames& names) {
  auto identity = pki::CertificateAuthority::create("Phoenix identity CA", kCaLifetime);
  if (!identity) return identity.error();
  auto docker = pki::CertificateAuthority::create("Phoenix docker CA", kCaLifetime);
  if (!docker) return docker.error();
  auto server = issue_hub_server_cert(*identity, names.dns, names.ips);
  if (!server) return server.error();
  return Minted{std::move(*identity), std::move(*docker), std::move(server->key), std::move(server->cert)};
}

Result<void> make_private_dir(fs::FileSystem& fs, const std::string& path, InitReport& report) {
  const bool existed = fs.exists(path);
  if (auto r = fs.create_directories(path, 0700); !r) return r;
  // An existing directory (say, made by a package) is tightened too: it holds CA keys.
  if (auto r = fs.set_mode(path, 0700); !r) return r;
  if (!existed) report.created.push_back(path + "/");
  return ok();
}

Result<void> write(fs::FileSystem& fs, const std::string& path, const std::string& content,
                   mode_t mode, InitReport& report) {
  if (auto r = fs.write_file_atomic(path, content, fs::WriteOptions{.mode = mode}); !r) return r;
  report.created.push_back(path);
  return ok();
}

}  // namespace

std::string local_hostname() {
  char buffer[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return {};
  return buffer;
}

std::string default_hub_config(const std::string& public_host, const std::string& api_write_token) {
  const bool ipv6 = public_host.find(':') != std::string::npos;
  const std::string host = ipv6 ? "[" + public_host + "]" : public_host;
  nlohmann::ordered_json api = {{"listen", "127.0.0.1:8082"}};
  if (!api_write_token.empty()) {
    api["tokens"] = nlohmann::ordered_json::array({{{"token", api_write_token}, {"role", "write"}}});
  }
  nlohmann::ordered_json config = {
      {"api", api},
      {"agent_endpoint", {{"listen", "0.0.0.0:8443"}, {"public_url", "wss://" + host + ":8443"}}},
      {"driver", "tart"},
      {"tart", {{"path", "/opt/homebrew/bin/tart"}, {"list_cache_ms", 1000}}},
  };
  return dump_json(config, 2) + "\n";
}

Result<InitReport> initialize_hub(fs::FileSystem& fs, const InitOptions& options) {
  const HubPaths paths = hub_paths(options.state_dir);
  InitReport report;

  for (const auto& path : {paths.identity_ca_cert, paths.identity_ca_key, paths.docker_ca_cert,
                           paths.docker_ca_key}) {
    if (fs.exists(path)) {
      return make_error("already_initialized",
                        path + " already exists: phoenix-hub init never overwrites a CA (every "
                               "enrolled agent trusts it). To start over, stop the hub and remove "
                               "the state directory " + paths.state_dir + ", then run init again");
    }
  }

  // Names the agents may dial: decided (and refused) before anything is written.
  ServerNames names;
  std::string public_host = "localhost";
  if (!options.hostname.empty()) {
    if (add_name(names, options.hostname, "host name")) {
      public_host = options.hostname;
    } else {
      report.warnings.push_back("host name \"" + options.hostname.substr(0, 64) +
                                "\" is not a valid DNS name: left out of the server cert");
    }
  }
  auto config = load_admin_config(fs, options.config_path);
  if (!config) return config.error();
  if (config->public_url) {
    if (auto r = add_name(names, host_of_wss_url(*config->public_url), "agent_endpoint.public_url host"); !r) {
      return r.error();
    }
  }
  for (const auto& san : options.extra_sans) {
    if (auto r = add_name(names, san, "--san"); !r) return r.error();
  }

  auto minted = mint(names);
  if (!minted) return minted.error();
  report.identity_ca_fingerprint = minted->identity_ca.certificate().facts().sha256_fingerprint;
  report.server_dns_names.assign(names.dns.begin(), names.dns.end());
  report.server_ips.assign(names.ips.begin(), names.ips.end());

  for (const auto& dir : {paths.state_dir, paths.ca_dir, paths.tls_dir, paths.logs_dir}) {
    if (auto r = make_private_dir(fs, dir, report); !r) return r.error();
  }
  // Keys first: a cert without its key is useless, a key without its cert is harmless.
  const struct {
    const std::string& path;
    std::string content;
    mode_t mode;
  } files[] = {
      {paths.identity_ca_key, minted->identity_ca.key().to_pem(), 0600},
      {paths.identity_ca_cert, minted->identity_ca.certificate().to_pem(), 0644},
      {paths.docker_ca_key, minted->docker_ca.key().to_pem(), 0600},
      {paths.docker_ca_cert, minted->docker_ca.certificate().to_pem(), 0644},
      {paths.hub_key, minted->server_key.to_pem(), 0600},
      {paths.hub_cert, minted->server_cert.to_pem() + minted->identity_ca.certificate().to_pem(), 0644},
  };
  for (const auto& file : files) {
    if (auto r = write(fs, file.path, file.content, file.mode, report); !r) return r.error();
  }

  const bool new_db = !fs.exists(paths.database);
  auto store = HubStore::open(paths.database);
  if (!store) return store.error();
  if (new_db) report.created.push_back(paths.database);

  if (config->config_path.empty()) {
    const std::string dir = fs::parent_path(options.config_path);
    if (auto r = fs.create_directories(dir, 0755); !r) return r.error();
    // 64 hex characters from RAND_bytes, like an enrollment secret. The file holds it in
    // clear (serve compares digests), so it is readable by its owner only.
    const std::string token = options.create_api_token ? new_enroll_secret() : std::string();
    if (auto r = write(fs, options.config_path, default_hub_config(public_host, token), token.empty() ? 0644 : 0600,
                       report);
        !r) {
      return r.error();
    }
    report.wrote_config = true;
    report.api_token = token;
  } else if (options.create_api_token && !config->has_api_tokens) {
    report.warnings.push_back("kept the existing config " + config->config_path +
                              ", which has no api.tokens: any local user can use the API; add a write token "
                              "there (docs/operator-guide.md, \"API tokens\") and restart the hub");
  }
  return report;
}

}  // namespace phoenix::hub
