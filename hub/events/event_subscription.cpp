#include "hub/events/event_subscription.hpp"

namespace phoenix::hub {

EventSubscription::EventSubscription(std::size_t max_queued) : max_queued_(max_queued) {}

bool EventSubscription::push(const std::string& text) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (finished_ || cancelled_) return false;
    if (queued_.size() + text.size() > max_queued_) {
      // The reader is stuck (a stalled client within its write deadline): stop queueing.
      overflowed_ = true;
      finished_ = true;
    } else {
      queued_ += text;
    }
    wake = take_ready_locked();
  }
  if (wake) wake();
  return !overflowed();
}

void EventSubscription::finish() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
    wake = take_ready_locked();
  }
  if (wake) wake();
}

bool EventSubscription::ended() const {
  std::lock_guard lock(mutex_);
  return finished_ || cancelled_;
}

bool EventSubscription::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

void EventSubscription::next(Ready ready) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    ready_ = std::move(ready);
    wake = take_ready_locked();
  }
  if (wake) wake();
}

void EventSubscription::cancel() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    queued_.clear();
    wake = take_ready_locked();
  }
  if (wake) wake();
}

std::function<void()> EventSubscription::take_ready_locked() {
  if (!ready_) return {};
  if (!queued_.empty() && !cancelled_) {
    return [ready = std::exchange(ready_, {}), text = std::exchange(queued_, {})]() mutable { ready(std::move(text)); };
  }
  if (finished_ || cancelled_) {
    return [ready = std::exchange(ready_, {})]() { ready(std::nullopt); };
  }
  return {};
}

}  // namespace phoenix::hub
