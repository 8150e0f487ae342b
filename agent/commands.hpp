#pragma once
// The phoenix-agent command table (SPEC "Command lines").
#include "shared/cli/command_table.hpp"

#include <vector>

namespace phoenix::agent {

std::vector<cli::Command> agent_commands();

}  // namespace phoenix::agent
