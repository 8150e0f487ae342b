#pragma once
// What `phoenix-hub serve` needs from hub.json (SPEC "Hub configuration") and its flags.
// Flags override the file; unknown keys are refused; defaults as in the SPEC.
#include "hub/http/listen_address.hpp"
#include "hub/http/token_auth.hpp"
#include "hub/netns/netns_layout.hpp"
#include "hub/swarm/swarm_plan.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/platform/default_locations.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub::api {

struct ServeFlags {
  std::optional<std::string> config;      // --config (must exist when given)
  std::optional<std::string> state_dir;   // --state-dir
  std::optional<std::string> api_listen;  // --api-listen ADDR:PORT
  std::optional<std::string> tart;        // --tart PATH
  std::optional<std::string> driver;      // --driver
  std::optional<std::string> agent_listen;  // --agent-listen ADDR:PORT
};

// agent_endpoint's limits (docs/operator-guide.md "Limits"); AgentEndpointConfig takes them.
struct AgentEndpointLimits {
  std::size_t max_connections = 20'000;
  std::size_t max_handshakes = 256;
  std::size_t max_handshakes_per_source = 32;
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  double message_burst = 200;
  double messages_per_s = 20;
  double sign_request_burst = 30;
  double sign_requests_per_min = 10;
  std::size_t blocking_threads = 2;
  std::size_t blocking_queue_max = 1024;
};

struct HubConfig {
  std::string config_path;  // the file read, or "" when none
  http::ListenAddress api_listen{"127.0.0.1", 8082};
  std::vector<http::TokenEntry> api_tokens;
  // api.allowed_hosts: names besides IP literals and localhost that clients may reach the API
  // by (the Host header); see http::HostAllowList.
  std::vector<std::string> api_allowed_hosts;
  std::string driver = "tart";
  std::string tart_path = platform::default_locations().tart_path;
  std::chrono::milliseconds tart_list_cache{1000};
  std::string state_dir = platform::default_locations().state_dir;
  // agent_endpoint: where agents connect, and the URL enrollment tokens tell them to dial.
  http::ListenAddress agent_listen{"0.0.0.0", 8443};
  std::optional<std::string> agent_public_url;  // wss://HOST[:PORT]; POST /enroll-tokens needs it
  AgentEndpointLimits agent_limits;
  std::size_t api_max_connections = 512;  // api.max_connections: more are answered 503
  // rotation.offline_deadline_s: how long a rollout waits for an offline VM before skipping it.
  std::chrono::seconds rotation_offline_deadline{3600};
  // rotation.auto_setup: a newly enrolled VM whose dockerd has no Phoenix TLS gets it at once.
  bool rotation_auto_setup = true;
  // netns: the netns driver's bridge, subnet and declared VMs (validated when driver is netns).
  NetnsConfig netns;
  // swarm: {"managers": 1 | 3 | ["vm1",…], "auto_join": true}
  SwarmSettings swarm;
};

// Reads the config (flags.config, else the platform's default hub.json if it exists, else defaults) and
// applies the flags. Throws config::ConfigError with a message naming file and key.
HubConfig load_hub_config(const fs::FileSystem& fs, const ServeFlags& flags);

// The names the API answers to besides IP literals and localhost: api.allowed_hosts and the
// host of agent_endpoint.public_url (the name operators already use for the hub).
std::vector<std::string> api_host_names(const HubConfig& config);

// Without tokens the API is open, so it may only listen on loopback.
Result<void> check_api_exposure(const HubConfig& config);

}  // namespace phoenix::hub::api
