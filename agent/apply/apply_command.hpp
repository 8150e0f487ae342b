#pragma once
#include <string>
#include <vector>

namespace phoenix::agent {

// `phoenix-agent docker apply ...`; returns the process exit code.
int run_apply_command(const std::vector<std::string>& args);

}  // namespace phoenix::agent
