#pragma once
// Message rates of agents. A TokenBucket allows `burst` events at once and `rate` per second
// on average. AgentRateLimiter keeps one bucket per agent name and limit (so a reconnect does
// not refill it) and the penalty of an agent that went over: until it ends, the agent's
// reconnects are refused. Thread-safe; everything takes `now` so tests need no clock.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace phoenix::hub::limits {

struct Rate {
  double burst = 1;       // tokens when full
  double per_second = 1;  // refill
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(Rate rate, Clock::time_point now) : rate_(rate), tokens_(rate.burst), updated_(now) {}

  // Takes one token if there is one.
  bool try_take(Clock::time_point now);
  double tokens() const { return tokens_; }

 private:
  Rate rate_;
  double tokens_;
  Clock::time_point updated_;
};

class AgentRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Penalty {
    Clock::time_point until;
    std::string reason;
  };

  // `limit` names the bucket ("messages", "sign_requests"); each (agent, limit) has its own.
  AgentRateLimiter(std::map<std::string, Rate> limits, std::chrono::milliseconds penalty);

  // False: `agent` is over `limit` (the caller disconnects it and calls penalise()).
  // An unknown limit always passes.
  bool try_take(const std::string& agent, const std::string& limit, Clock::time_point now);

  void penalise(const std::string& agent, std::string reason, Clock::time_point now);
  // The penalty still running for `agent`, if any.
  std::optional<Penalty> penalty(const std::string& agent, Clock::time_point now) const;

  std::size_t tracked() const;

 private:
  // Full buckets carry no information: dropping them keeps the map bounded by active agents.
  void prune(Clock::time_point now);

  mutable std::mutex mutex_;
  std::map<std::string, Rate> limits_;
  std::chrono::milliseconds penalty_;
  std::map<std::pair<std::string, std::string>, TokenBucket> buckets_;
  std::map<std::string, Penalty> penalties_;
  Clock::time_point last_prune_{};
};

}  // namespace phoenix::hub::limits
