#include "agent/commands.hpp"

#include "agent/apply/apply_command.hpp"
#include "agent/channel/enroll_command.hpp"
#include "agent/channel/run_command.hpp"
#include "agent/doctor/doctor_command.hpp"

namespace phoenix::agent {

std::vector<cli::Command> agent_commands() {
  return {
      {"enroll", "enroll this VM with the hub using a one-time token", run_enroll_command},
      {"run", "run the agent: keep dockerd's TLS, contexts and swarm membership right", run_run_command},
      {"docker apply", "set up dockerd TLS and the phoenix context from cert files", run_apply_command},
      {"doctor", "check dockerd, its TLS, the contexts and DOCKER_HOST drift", run_doctor_command},
  };
}

}  // namespace phoenix::agent
