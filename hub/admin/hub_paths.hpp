#pragma once
// Every file of the hub's state directory (docs/agent-protocol.md "Files"), derived from
// one root, plus what the admin commands read from hub.json. Shared by `init`,
// `token create`, `revoke` and the agent endpoint so all agree on where things live.
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/platform/default_locations.hpp"

#include <optional>
#include <string>

namespace phoenix::hub {

// Linux: /etc/phoenix/hub.json and /var/lib/phoenix-hub; a Mac: both under
// ~/Library/Application Support/Phoenix (shared/platform/default_locations.hpp).
inline std::string default_hub_config_path() { return platform::default_locations().config_path; }
inline std::string default_hub_state_dir() { return platform::default_locations().state_dir; }

struct HubPaths {
  std::string state_dir;
  std::string ca_dir;              // <state>/ca            (0700)
  std::string identity_ca_cert;    // <state>/ca/identity-ca.pem
  std::string identity_ca_key;     // <state>/ca/identity-ca.key   (0600)
  std::string docker_ca_cert;      // <state>/ca/docker-ca.pem
  std::string docker_ca_key;       // <state>/ca/docker-ca.key     (0600)
  std::string tls_dir;             // <state>/tls           (0700)
  std::string hub_cert;            // <state>/tls/hub-cert.pem: leaf then identity CA (a chain
                                   // file, so a first-contact agent can pin the CA by hash)
  std::string hub_key;             // <state>/tls/hub-key.pem      (0600)
  std::string database;            // <state>/hub.db
  std::string logs_dir;            // <state>/logs          (0700)
};

HubPaths hub_paths(const std::string& state_dir);

// The parts of hub.json the admin commands need. Other sections are left to `serve`.
struct AdminConfig {
  std::string config_path;                // the file read ("" when it did not exist)
  std::optional<std::string> public_url;  // agent_endpoint.public_url
  bool has_api_tokens = false;            // api.tokens lists at least one entry
};

// Reads `config_path` if it exists (a missing file is not an error: init writes it, and
// token create may get --hub-url). Errors: "config_invalid" (bad JSON, public_url not a
// string or not wss://) with the file and key in the message.
Result<AdminConfig> load_admin_config(const fs::FileSystem& fs, const std::string& config_path);

// "wss://host:8443" -> "host"; "wss://[::1]:8443" -> "::1". Empty when not wss://HOST[:PORT][/...].
std::string host_of_wss_url(const std::string& url);

}  // namespace phoenix::hub
