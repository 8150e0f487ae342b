#include "hub/commands.hpp"

#include <iostream>

namespace phoenix::hub {
namespace {

int not_yet(const std::string& name, const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description options("Options");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub " + name, options, args, vm); rc >= 0) return rc;
  std::cerr << "phoenix-hub " << name << ": not implemented in this build yet\n";
  return 3;
}

}  // namespace

std::vector<cli::Command> hub_commands() {
  auto stub = [](std::string name) {
    return [name](const std::vector<std::string>& args) { return not_yet(name, args); };
  };
  return {
      {"init", "create the CAs, the hub's server cert, the store and a default config", stub("init")},
      {"serve", "run the hub: agent endpoint, HTTP VM API and dashboard", stub("serve")},
      {"token create", "print a one-time enrollment token for a VM", stub("token create")},
      {"revoke", "revoke a VM's agent identity", stub("revoke")},
      {"rotate", "rotate certificates across the fleet", stub("rotate")},
  };
}

}  // namespace phoenix::hub
