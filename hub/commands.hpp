#pragma once
// The phoenix-hub command table (SPEC "Command lines").
#include "shared/cli/command_table.hpp"

#include <vector>

namespace phoenix::hub {

std::vector<cli::Command> hub_commands();

}  // namespace phoenix::hub
