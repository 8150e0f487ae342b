#pragma once
// ProcessRunner on Boost.Process v2: both pipes drained concurrently with a size cap, a
// deadline enforced with SIGTERM, a 2 s grace, then SIGKILL; the child is always reaped.
#include "shared/process/process_runner.hpp"

namespace phoenix::process {

class RealProcessRunner : public ProcessRunner {
 public:
  // Time a child gets between SIGTERM and SIGKILL once its deadline passed.
  explicit RealProcessRunner(std::chrono::milliseconds kill_grace = std::chrono::seconds(2))
      : kill_grace_(kill_grace) {}

  Result<RunResult> run(const RunOptions& options) override;

 private:
  std::chrono::milliseconds kill_grace_;
};

}  // namespace phoenix::process
