#include "shared/process/fake_process_runner.hpp"

namespace phoenix::process {

RunResult FakeProcessRunner::exited(int code, std::string out, std::string err) {
  RunResult r;
  r.exit_code = code;
  r.out = std::move(out);
  r.err = std::move(err);
  return r;
}

void FakeProcessRunner::on(std::vector<std::string> argv, Result<RunResult> response) {
  std::lock_guard lock(mutex_);
  scripted_[std::move(argv)].push_back(std::move(response));
}

void FakeProcessRunner::set_fallback(Responder responder) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(responder);
}

void FakeProcessRunner::set_before_run(std::function<void(const RunOptions&)> hook) {
  std::lock_guard lock(mutex_);
  before_run_ = std::move(hook);
}

Result<RunResult> FakeProcessRunner::run(const RunOptions& options) {
  std::function<void(const RunOptions&)> hook;
  {
    std::lock_guard lock(mutex_);
    calls_.push_back(options.argv);
    hook = before_run_;
  }
  // Outside the lock: the hook may block (a latch) while other threads call run().
  if (hook) hook(options);

  Responder fallback;
  {
    std::lock_guard lock(mutex_);
    auto it = scripted_.find(options.argv);
    if (it != scripted_.end() && !it->second.empty()) {
      Result<RunResult> response = it->second.front();
      if (it->second.size() > 1) it->second.pop_front();
      return response;
    }
    fallback = fallback_;
  }
  if (fallback) return fallback(options);
  std::string joined;
  for (const auto& arg : options.argv) joined += (joined.empty() ? "" : " ") + arg;
  return make_error("not_found", "FakeProcessRunner: no scripted response for: " + joined);
}

std::vector<std::vector<std::string>> FakeProcessRunner::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::size_t FakeProcessRunner::count_calls(const std::vector<std::string>& argv_prefix) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& call : calls_) {
    if (call.size() >= argv_prefix.size() &&
        std::equal(argv_prefix.begin(), argv_prefix.end(), call.begin())) {
      ++n;
    }
  }
  return n;
}

}  // namespace phoenix::process
