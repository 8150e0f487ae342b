#pragma once
// Starting a long-lived child that must outlive us (tart run): its own session (setsid), so
// a hub restart or a terminal hang-up does not take it down, stdin from /dev/null, stdout and
// stderr appended to a log file. It is still our child while we live, so a background thread
// reaps it and keeps its exit code: callers can tell "exited early with code 2" from
// "still running" without ever waiting on it.
#include "shared/core/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::process {

class DetachedChild {
 public:
  virtual ~DetachedChild() = default;
  virtual int pid() const = 0;
  // nullopt while the child runs; its exit code (128 + signal when killed) once reaped.
  virtual std::optional<int> exit_code() const = 0;
};

struct DetachedOptions {
  std::vector<std::string> argv;  // argv[0]: absolute path
  std::string log_path;           // created (0640) if missing, appended to
  std::vector<std::pair<std::string, std::string>> extra_env;
};

class DetachedSpawner {
 public:
  virtual ~DetachedSpawner() = default;
  // Errors: "not_found", "spawn_failed", "log_failed".
  virtual Result<std::shared_ptr<DetachedChild>> spawn(const DetachedOptions& options) = 0;
};

class RealDetachedSpawner : public DetachedSpawner {
 public:
  Result<std::shared_ptr<DetachedChild>> spawn(const DetachedOptions& options) override;
};

// Shared by both runners: the environment a child gets (ours plus overrides), "K=V" each.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra_env);

}  // namespace phoenix::process
