#pragma once
// The real ports an apply runs on (disk, processes, dockerd over TLS, the clocks), shared by
// `docker apply` and by the converge `phoenix-agent run` does at start.
#include "agent/apply/apply_executor.hpp"
#include "agent/apply/docker_prober.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/process/real_process_runner.hpp"

#include <functional>
#include <string>

namespace phoenix::agent::apply {

class RealApplyPorts {
 public:
  RealApplyPorts() = default;
  // The environment refers to this object's members: not copyable, not movable.
  RealApplyPorts(const RealApplyPorts&) = delete;
  RealApplyPorts& operator=(const RealApplyPorts&) = delete;

  fs::RealFileSystem& fs() { return fs_; }

  // An ApplyEnvironment on the real clocks; `progress` gets one human line per step,
  // `after_journal` (may be empty) runs after each journaled step.
  ApplyEnvironment environment(std::function<void(const std::string&)> progress,
                               std::function<void(Step)> after_journal);

 private:
  fs::RealFileSystem fs_;
  process::RealProcessRunner runner_;
  EngineDockerProber prober_;
};

}  // namespace phoenix::agent::apply
