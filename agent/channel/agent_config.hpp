#pragma once
// /etc/phoenix/agent.json (optional): {"state_dir":…, "docker_socket":…, "users":["root"],
// "root":…, "docker":{"listen":"tcp://0.0.0.0:2376", "restart_commands":["CMD", …],
// "verify_timeout_s":30}}. Restart commands are split into argv without a shell. Strict (unknown keys and wrong types are refused, naming file and key);
// command-line flags override it. A missing default file means defaults; a missing file
// that was asked for with --config is an error.
#include "shared/fs/file_system.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::agent {

inline constexpr const char* kDefaultAgentConfigPath = "/etc/phoenix/agent.json";

// How the agent applies docker TLS it rotates (the settings of `docker apply`).
struct DockerTlsConfig {
  std::string listen = "tcp://0.0.0.0:2376";
  // argv each, run in order. Empty: `systemctl daemon-reload` + `systemctl restart docker`
  // on the real system; under `root` a rotation is refused without them.
  std::vector<std::vector<std::string>> restart_commands;
  std::chrono::seconds verify_timeout{30};
};

struct AgentConfig {
  std::string state_dir = "/var/lib/phoenix-agent";
  std::string docker_socket = "/var/run/docker.sock";
  std::vector<std::string> users{"root"};
  std::string root;  // prefix for system paths ("" = the real system)
  DockerTlsConfig docker;
};

// Throws config::ConfigError with a message that names the file and key.
AgentConfig load_agent_config(const fs::FileSystem& fs, const std::string& path, bool explicitly_given);

}  // namespace phoenix::agent
