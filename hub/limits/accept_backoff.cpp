#include "hub/limits/accept_backoff.hpp"

#include <algorithm>

namespace phoenix::hub::limits {

AcceptBackoff::AcceptBackoff(std::chrono::milliseconds start, std::chrono::milliseconds cap)
    : start_(std::max(start, std::chrono::milliseconds(1))), cap_(std::max(cap, start_)) {}

std::chrono::milliseconds AcceptBackoff::next_delay() {
  current_ = current_.count() == 0 ? start_ : std::min(current_ * 2, cap_);
  return current_;
}

void AcceptBackoff::reset() { current_ = std::chrono::milliseconds(0); }

}  // namespace phoenix::hub::limits
