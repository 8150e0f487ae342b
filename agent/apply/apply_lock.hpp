#pragma once
// One `docker apply` at a time per state dir: an flock on <state-dir>/docker-apply.lock,
// held for the life of the object and released by the kernel if the process dies (a crash
// never leaves a stale lock behind; the journal is what survives).
#include "shared/core/error.hpp"

#include <string>

namespace phoenix::agent::apply {

class ApplyLock {
 public:
  // Creates the state dir (0700) if needed. Error "apply_busy" when another process holds
  // the lock, "io_error" when the lock file cannot be opened.
  static Result<ApplyLock> acquire(const std::string& state_dir);

  ApplyLock(ApplyLock&& other) noexcept;
  ApplyLock& operator=(ApplyLock&&) = delete;
  ApplyLock(const ApplyLock&) = delete;
  ~ApplyLock();

 private:
  explicit ApplyLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace phoenix::agent::apply
