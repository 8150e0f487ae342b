#include "agent/apply/apply_command.hpp"

#include "shared/cli/command_table.hpp"

#include <iostream>

namespace phoenix::agent {

int run_apply_command(const std::vector<std::string>& args) {
  boost::program_options::options_description options("Options");
  boost::program_options::variables_map vm;
  if (int rc = cli::parse_options("phoenix-agent docker apply", options, args, vm); rc >= 0) return rc;
  std::cerr << "not implemented in this build yet\n";
  return 3;
}

}  // namespace phoenix::agent
