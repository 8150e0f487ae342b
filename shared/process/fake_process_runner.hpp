#pragma once
// A scripted ProcessRunner for unit tests: responses keyed by the exact argv, every call
// recorded, and an optional hook that runs inside run() (to block on a latch, count, or
// compute an answer). Thread-safe: the code under test calls it from worker threads.
#include "shared/process/process_runner.hpp"

#include <deque>
#include <functional>
#include <map>
#include <mutex>

namespace phoenix::process {

class FakeProcessRunner : public ProcessRunner {
 public:
  using Responder = std::function<Result<RunResult>(const RunOptions&)>;

  static RunResult exited(int code, std::string out = {}, std::string err = {});

  // Queue a response for this exact argv. Queued responses are used in order; the last one
  // keeps answering once the queue is down to it.
  void on(std::vector<std::string> argv, Result<RunResult> response);
  // Called for argv with no scripted response (default: an Error "not_found").
  void set_fallback(Responder responder);
  // Runs at the start of every call, before the response is chosen (e.g. to wait on a latch).
  void set_before_run(std::function<void(const RunOptions&)> hook);

  Result<RunResult> run(const RunOptions& options) override;

  std::vector<std::vector<std::string>> calls() const;
  std::size_t count_calls(const std::vector<std::string>& argv_prefix) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::deque<Result<RunResult>>> scripted_;
  Responder fallback_;
  std::function<void(const RunOptions&)> before_run_;
  std::vector<std::vector<std::string>> calls_;
};

}  // namespace phoenix::process
