#include "agent/commands.hpp"

#include "agent/apply/apply_command.hpp"
#include "agent/doctor/doctor_command.hpp"

#include <iostream>

namespace phoenix::agent {
namespace {

int not_yet(const std::string& name, const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options("Options");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-agent " + name, options, args, vm); rc >= 0) return rc;
  std::cerr << "phoenix-agent " << name << ": not implemented in this build yet\n";
  return 3;
}

}  // namespace

std::vector<cli::Command> agent_commands() {
  auto stub = [](std::string name) {
    return [name](const std::vector<std::string>& args) { return not_yet(name, args); };
  };
  return {
      {"enroll", "enroll this VM with the hub using a one-time token", stub("enroll")},
      {"run", "run the agent: keep dockerd's TLS, contexts and swarm membership right", stub("run")},
      {"docker apply", "set up dockerd TLS and the phoenix context from cert files", run_apply_command},
      {"doctor", "check dockerd, its TLS, the contexts and DOCKER_HOST drift", run_doctor_command},
  };
}

}  // namespace phoenix::agent
