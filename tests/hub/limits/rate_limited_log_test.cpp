#include "hub/limits/rate_limited_log.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::limits {
namespace {

using namespace std::chrono_literals;

TEST(RateLimitedLog, OneLinePerIntervalCountingTheRest) {
  RateLimitedLog log(1000ms);
  const auto t0 = RateLimitedLog::Clock::time_point{} + 1h;
  const auto first = log.allow(t0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0u) << "the first line holds nothing back";
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(log.allow(t0 + 10ms * i).has_value());
  EXPECT_FALSE(log.allow(t0 + 999ms).has_value());
  const auto next = log.allow(t0 + 1000ms);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 6u);
  EXPECT_FALSE(log.allow(t0 + 1500ms).has_value());
  EXPECT_EQ(*log.allow(t0 + 2000ms), 1u);
}

}  // namespace
}  // namespace phoenix::hub::limits
