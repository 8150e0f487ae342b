#pragma once
// The tart command line, one synchronous call per method, run by absolute path through a
// ProcessRunner with a deadline per call. Names are validated before any process starts.
// Outcomes are mapped to the VmService error codes by tart_errors.hpp.
#include "hub/tart/tart_config.hpp"
#include "hub/vms/vm_service.hpp"
#include "shared/process/process_runner.hpp"

#include <memory>
#include <string>
#include <vector>

namespace phoenix::hub {

class TartCli {
 public:
  TartCli(TartConfig config, std::shared_ptr<process::ProcessRunner> runner);

  // `tart list --format json --source local`: local VMs only (OCI entries dropped).
  Result<std::vector<VmInfo>> list() const;
  // `tart get NAME --format json`, with name filled in and source "local".
  Result<VmInfo> get(const std::string& name) const;
  // `tart stop NAME --timeout N`; the call deadline is N plus call_timeout.
  Result<void> stop(const std::string& name, std::chrono::seconds graceful_timeout) const;
  // `tart ip NAME --wait N`: the bare IPv4 address.
  Result<std::string> ip(const std::string& name, int wait_seconds) const;

  // argv of `tart run NAME --no-graphics` (started detached by the service, not here).
  Result<std::vector<std::string>> run_argv(const std::string& name) const;

  const TartConfig& config() const { return config_; }

 private:
  Result<process::RunResult> call(std::vector<std::string> args,
                                  std::chrono::milliseconds timeout) const;

  TartConfig config_;
  std::shared_ptr<process::ProcessRunner> runner_;
};

}  // namespace phoenix::hub
