#pragma once
// Reconnect delays for the agent's channel (SPEC "Agent <-> hub channel"): exponential
// with full jitter, so that after a hub restart thousands of agents spread their
// reconnects over the whole window instead of arriving together (AWS "Exponential
// Backoff And Jitter"). delay = uniform(0, min(cap, start * 2^attempt)); the attempt
// count resets once a connection has stayed healthy for `healthy_after`.
#include <chrono>
#include <functional>

namespace phoenix::agent {

// A source of uniform numbers in [0, 1). Injected so tests can pin the jitter.
using UniformRandom = std::function<double()>;

// std::mt19937_64 seeded from std::random_device (not for secrets: only for jitter).
UniformRandom make_system_random();

struct BackoffPolicy {
  std::chrono::milliseconds start{1000};
  std::chrono::milliseconds cap{60'000};
  std::chrono::milliseconds healthy_after{60'000};
};

class Backoff {
 public:
  Backoff(BackoffPolicy policy, UniformRandom random);

  // The upper bound of the next delay: min(cap, start * 2^attempt).
  std::chrono::milliseconds ceiling() const;

  // A delay drawn uniformly from [0, ceiling()]; advances the attempt count.
  std::chrono::milliseconds next_delay();

  // Reports how long a connection stayed up: a healthy one resets the attempt count,
  // a short-lived one (accepted, then dropped at once) does not, so a hub that accepts
  // and immediately closes still gets backed off from.
  void connection_lasted(std::chrono::steady_clock::duration healthy_for);

  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  BackoffPolicy policy_;
  UniformRandom random_;
  int attempt_ = 0;
};

}  // namespace phoenix::agent
