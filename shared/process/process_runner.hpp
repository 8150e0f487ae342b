#pragma once
// Running a child program to completion: the one way Phoenix starts short-lived helper
// programs (tart, systemctl). Always an argv vector with an absolute program path, never a
// shell, so no configured value or VM name can ever be interpreted as shell syntax.
#include "shared/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::process {

struct RunOptions {
  std::vector<std::string> argv;  // argv[0]: absolute path of the program
  std::chrono::milliseconds timeout{30000};
  std::size_t max_output_bytes = 1 << 20;  // per stream; the rest is read and dropped
  std::vector<std::pair<std::string, std::string>> extra_env;  // added to (or replacing) ours
};

struct RunResult {
  int exit_code = -1;  // 128 + signal number when the child died from a signal (as shells do)
  std::string out;
  std::string err;
  bool timed_out = false;  // the deadline passed and the child was terminated
  bool truncated = false;  // out or err exceeded max_output_bytes
  int signal = 0;          // the signal that ended the child, 0 when it exited by itself
};

// Synchronous: blocks the calling (worker) thread until the child is reaped. Returns an
// Error only when the program could not be started at all ("not_found", "spawn_failed");
// a program that ran and failed is a RunResult with its exit code.
class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual Result<RunResult> run(const RunOptions& options) = 0;
};

// "exit 3" / "killed by signal 9" / "timed out after 500 ms": for log lines and messages.
std::string describe_outcome(const RunResult& result, const RunOptions& options);

}  // namespace phoenix::process
