#pragma once
// The I/O half of AgentState: asks dockerd (unix socket, short deadline), reads the
// certificates, contexts and DOCKER_HOST findings under --root, and hands plain
// observations to build_agent_state (agent_state.hpp).
#include "agent/channel/agent_state.hpp"
#include "shared/fs/file_system.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::agent {

struct StateSources {
  std::string vm;
  std::string docker_socket;
  std::string root;                 // --root prefix ("" = the real system)
  std::vector<std::string> users;
  std::string identity_cert_pem;
  std::chrono::milliseconds engine_timeout{3000};
};

AgentStateInputs collect_state_inputs(const fs::FileSystem& fs, const StateSources& sources);

}  // namespace phoenix::agent
