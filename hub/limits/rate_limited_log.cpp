#include "hub/limits/rate_limited_log.hpp"

namespace phoenix::hub::limits {

std::optional<std::uint64_t> RateLimitedLog::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_ && now - *last_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_ = now;
  const auto held_back = suppressed_;
  suppressed_ = 0;
  return held_back;
}

}  // namespace phoenix::hub::limits
