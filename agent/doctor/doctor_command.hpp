#pragma once
#include <string>
#include <vector>

namespace phoenix::agent {

// `phoenix-agent doctor ...`; returns the process exit code.
int run_doctor_command(const std::vector<std::string>& args);

}  // namespace phoenix::agent
