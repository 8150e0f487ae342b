#include "hub/limits/token_bucket.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::limits {
namespace {

using namespace std::chrono_literals;
const auto t0 = TokenBucket::Clock::time_point{} + 1h;

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  TokenBucket bucket(Rate{3, 10}, t0);
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0 + 50ms)) << "half a token after 50 ms at 10/s";
  EXPECT_TRUE(bucket.try_take(t0 + 100ms));
  EXPECT_FALSE(bucket.try_take(t0 + 100ms));
}

TEST(TokenBucket, RefillsNoFurtherThanTheBurst) {
  TokenBucket bucket(Rate{2, 100}, t0);
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_TRUE(bucket.try_take(t0 + 1h));
  EXPECT_TRUE(bucket.try_take(t0 + 1h));
  EXPECT_FALSE(bucket.try_take(t0 + 1h));
}

TEST(AgentRateLimiter, EachAgentAndLimitHasItsOwnBucket) {
  AgentRateLimiter limiter({{"messages", Rate{2, 1}}, {"sign_requests", Rate{1, 0.1}}}, 10s);
  EXPECT_TRUE(limiter.try_take("vm1", "messages", t0));
  EXPECT_TRUE(limiter.try_take("vm1", "messages", t0));
  EXPECT_FALSE(limiter.try_take("vm1", "messages", t0));
  EXPECT_TRUE(limiter.try_take("vm2", "messages", t0)) << "another agent is not charged for vm1";
  EXPECT_TRUE(limiter.try_take("vm1", "sign_requests", t0));
  EXPECT_FALSE(limiter.try_take("vm1", "sign_requests", t0 + 5s));
  EXPECT_TRUE(limiter.try_take("vm1", "sign_requests", t0 + 10s));
  EXPECT_TRUE(limiter.try_take("vm1", "no_such_limit", t0));
}

TEST(AgentRateLimiter, AReconnectDoesNotRefillTheBucket) {
  // The bucket belongs to the name, not the connection: a new session sees the same one.
  AgentRateLimiter limiter({{"messages", Rate{1, 1}}}, 10s);
  EXPECT_TRUE(limiter.try_take("vm1", "messages", t0));
  EXPECT_FALSE(limiter.try_take("vm1", "messages", t0 + 10ms));
}

TEST(AgentRateLimiter, APenaltyLastsItsTimeAndKeepsTheReason) {
  AgentRateLimiter limiter({{"messages", Rate{1, 1}}}, 10s);
  EXPECT_FALSE(limiter.penalty("vm1", t0));
  limiter.penalise("vm1", "over 20 messages/s", t0);
  const auto penalty = limiter.penalty("vm1", t0 + 9s);
  ASSERT_TRUE(penalty);
  EXPECT_EQ(penalty->reason, "over 20 messages/s");
  EXPECT_FALSE(limiter.penalty("vm1", t0 + 10s));
  EXPECT_FALSE(limiter.penalty("vm2", t0 + 1s));
}

TEST(AgentRateLimiter, ForgetsIdleAgents) {
  AgentRateLimiter limiter({{"messages", Rate{5, 1}}}, 10s);
  for (int i = 0; i < 100; ++i) limiter.try_take("vm" + std::to_string(i), "messages", t0);
  EXPECT_EQ(limiter.tracked(), 100u);
  limiter.try_take("busy", "messages", t0 + 2min);
  EXPECT_EQ(limiter.tracked(), 1u) << "buckets refilled to full carry nothing and are dropped";
}

}  // namespace
}  // namespace phoenix::hub::limits
