#pragma once
// Starting a VM: `tart run NAME --no-graphics` blocks for the VM's whole life, so it is
// started detached (own session, stdin /dev/null, output appended to
// <state_dir>/logs/<name>.log) and survives a hub restart. start() then polls `tart get`
// until the VM reports running, or turns an early exit of `tart run` into tart's own error
// (its text read back from the part of the log this run wrote).
#include "hub/tart/tart_cli.hpp"
#include "shared/process/detached_spawner.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace phoenix::hub {

class TartRunSupervisor {
 public:
  TartRunSupervisor(const TartCli& cli, std::shared_ptr<process::DetachedSpawner> spawner);

  // Blocks (on a worker thread) until running, failed, start_timeout, or `cancelled`.
  Result<VmInfo> start(const std::string& name, const std::atomic<bool>& cancelled) const;

  std::string log_path(const std::string& name) const;

 private:
  const TartCli& cli_;
  std::shared_ptr<process::DetachedSpawner> spawner_;
};

}  // namespace phoenix::hub
