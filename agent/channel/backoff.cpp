#include "agent/channel/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace phoenix::agent {

UniformRandom make_system_random() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

Backoff::Backoff(BackoffPolicy policy, UniformRandom random)
    : policy_(policy), random_(std::move(random)) {}

std::chrono::milliseconds Backoff::ceiling() const {
  const auto start = std::max<long long>(policy_.start.count(), 0);
  const auto cap = std::max<long long>(policy_.cap.count(), 0);
  // Doubling stops as soon as the cap is reached, so a long outage never overflows.
  long long bound = start;
  for (int i = 0; i < attempt_ && bound < cap; ++i) bound *= 2;
  return std::chrono::milliseconds{std::min(bound, cap)};
}

std::chrono::milliseconds Backoff::next_delay() {
  const auto bound = static_cast<double>(ceiling().count());
  double r = random_ ? random_() : 0.0;
  r = std::clamp(r, 0.0, 1.0);
  if (ceiling() < policy_.cap) ++attempt_;
  return std::chrono::milliseconds{static_cast<long long>(std::llround(r * bound))};
}

void Backoff::connection_lasted(std::chrono::steady_clock::duration healthy_for) {
  if (healthy_for >= policy_.healthy_after) attempt_ = 0;
}

}  // namespace phoenix::agent
