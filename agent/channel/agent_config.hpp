#pragma once
// /etc/phoenix/agent.json (optional): {"state_dir":…, "docker_socket":…, "users":["root"],
// "root":…}. Strict (unknown keys and wrong types are refused, naming file and key);
// command-line flags override it. A missing default file means defaults; a missing file
// that was asked for with --config is an error.
#include "shared/fs/file_system.hpp"

#include <string>
#include <vector>

namespace phoenix::agent {

inline constexpr const char* kDefaultAgentConfigPath = "/etc/phoenix/agent.json";

struct AgentConfig {
  std::string state_dir = "/var/lib/phoenix-agent";
  std::string docker_socket = "/var/run/docker.sock";
  std::vector<std::string> users{"root"};
  std::string root;  // prefix for system paths ("" = the real system)
};

// Throws config::ConfigError with a message that names the file and key.
AgentConfig load_agent_config(const fs::FileSystem& fs, const std::string& path, bool explicitly_given);

}  // namespace phoenix::agent
