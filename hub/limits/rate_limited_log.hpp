#pragma once
// Lets one log line through per interval and counts the ones held back, so a refusal that
// happens thousands of times a second (a connection flood) costs one line a second that
// says how many were refused, not a log flood. Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace phoenix::hub::limits {

class RateLimitedLog {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimitedLog(std::chrono::milliseconds interval = std::chrono::milliseconds(1000))
      : interval_(interval) {}

  // Empty: stay quiet. Otherwise log now; the value is how many events were held back since
  // the last line.
  std::optional<std::uint64_t> allow(Clock::time_point now);

 private:
  std::mutex mutex_;
  std::chrono::milliseconds interval_;
  std::optional<Clock::time_point> last_;
  std::uint64_t suppressed_ = 0;
};

}  // namespace phoenix::hub::limits
