#pragma once
// `phoenix-agent run [--config F] [--state-dir DIR] [--docker-socket PATH] [--root DIR] [--users root]`.
#include <string>
#include <vector>

namespace phoenix::agent {

int run_run_command(const std::vector<std::string>& args);

}  // namespace phoenix::agent
