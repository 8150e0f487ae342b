#pragma once
// `phoenix-hub rotate`: starts a fleet-wide rotation and follows it with live progress.
// Like `token create` and `revoke` it works on the hub's store: the rotation is written
// there, the running `phoenix-hub serve` picks it up within a second and rolls it out, and
// this command prints each VM's progress until the rollout ends.
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace phoenix::hub {

int run_rotate_command(const std::vector<std::string>& args);
int run_rotate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                       std::chrono::milliseconds poll_interval = std::chrono::milliseconds(500));

}  // namespace phoenix::hub
