#include "hub/limits/token_bucket.hpp"

#include <algorithm>

namespace phoenix::hub::limits {

namespace {
constexpr auto kPruneEvery = std::chrono::seconds(60);
}  // namespace

bool TokenBucket::try_take(Clock::time_point now) {
  if (now > updated_) {
    const std::chrono::duration<double> elapsed = now - updated_;
    tokens_ = std::min(rate_.burst, tokens_ + elapsed.count() * rate_.per_second);
    updated_ = now;
  }
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

AgentRateLimiter::AgentRateLimiter(std::map<std::string, Rate> limits, std::chrono::milliseconds penalty)
    : limits_(std::move(limits)), penalty_(penalty) {}

bool AgentRateLimiter::try_take(const std::string& agent, const std::string& limit, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto rate = limits_.find(limit);
  if (rate == limits_.end()) return true;
  prune(now);
  auto key = std::make_pair(agent, limit);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(std::move(key), TokenBucket(rate->second, now)).first;
  return it->second.try_take(now);
}

void AgentRateLimiter::penalise(const std::string& agent, std::string reason, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  penalties_[agent] = Penalty{now + penalty_, std::move(reason)};
}

std::optional<AgentRateLimiter::Penalty> AgentRateLimiter::penalty(const std::string& agent,
                                                                   Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto it = penalties_.find(agent);
  if (it == penalties_.end() || now >= it->second.until) return std::nullopt;
  return it->second;
}

std::size_t AgentRateLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void AgentRateLimiter::prune(Clock::time_point now) {
  if (now - last_prune_ < kPruneEvery) return;
  last_prune_ = now;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const auto& rate = limits_.at(it->first.second);
    TokenBucket probe = it->second;
    probe.try_take(now);  // refills to now; full means untouched for a while
    it = probe.tokens() + 1 >= rate.burst ? buckets_.erase(it) : std::next(it);
  }
  std::erase_if(penalties_, [now](const auto& entry) { return now >= entry.second.until; });
}

}  // namespace phoenix::hub::limits
