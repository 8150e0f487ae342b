#include "agent/apply/real_apply_environment.hpp"

#include <thread>

namespace phoenix::agent::apply {

ApplyEnvironment RealApplyPorts::environment(std::function<void(const std::string&)> progress,
                                             std::function<void(Step)> after_journal) {
  return ApplyEnvironment{fs_,
                          runner_,
                          prober_,
                          [] { return std::chrono::steady_clock::now(); },
                          [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
                          [] { return std::chrono::system_clock::now(); },
                          std::move(progress),
                          std::move(after_journal)};
}

}  // namespace phoenix::agent::apply
