#pragma once
// `phoenix-agent enroll --token T [--state-dir DIR] [--config F]`.
#include <string>
#include <vector>

namespace phoenix::agent {

int run_enroll_command(const std::vector<std::string>& args);

}  // namespace phoenix::agent
