#include "agent/channel/backoff.hpp"
#include "agent/channel/renewal_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace phoenix::agent {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

UniformRandom constant(double value) {
  return [value] { return value; };
}

TEST(Backoff, CeilingDoublesFromOneSecondUpToTheCap) {
  Backoff backoff({}, constant(0.999999));
  const long long expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
  for (long long bound : expected) {
    EXPECT_EQ(backoff.ceiling(), milliseconds{bound});
    const auto delay = backoff.next_delay();
    EXPECT_LE(delay, milliseconds{bound});
    EXPECT_GE(delay, milliseconds{bound * 99 / 100});  // r close to 1: near the bound
  }
}

TEST(Backoff, FullJitterStartsAtZero) {
  Backoff backoff({}, constant(0.0));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(backoff.next_delay(), 0ms);
  EXPECT_EQ(backoff.ceiling(), 60'000ms);
}

TEST(Backoff, NeverOverflowsOnAVeryLongOutage) {
  Backoff backoff({}, constant(0.5));
  for (int i = 0; i < 10'000; ++i) {
    const auto d = backoff.next_delay();
    ASSERT_GE(d, 0ms);
    ASSERT_LE(d, 60'000ms);
  }
  EXPECT_EQ(backoff.ceiling(), 60'000ms);
}

TEST(Backoff, JitterSpreadsDelaysOverTheWholeWindow) {
  Backoff reference({}, make_system_random());
  std::vector<long long> delays;
  for (int i = 0; i < 2000; ++i) {
    Backoff b({}, make_system_random());
    for (int k = 0; k < 6; ++k) (void)b.next_delay();  // window now [0, 60 s]
    delays.push_back(b.next_delay().count());
  }
  const auto [lo, hi] = std::minmax_element(delays.begin(), delays.end());
  EXPECT_LT(*lo, 3'000);   // some agents come back almost at once ...
  EXPECT_GT(*hi, 57'000);  // ... others near the cap
  int buckets[6] = {};
  for (auto d : delays) ++buckets[std::min<long long>(d / 10'000, 5)];
  for (int count : buckets) EXPECT_GT(count, 200) << "each 10 s slice gets about 1/6 of 2000";
  std::set<long long> distinct(delays.begin(), delays.end());
  EXPECT_GT(distinct.size(), 1500u);
}

TEST(Backoff, ResetsOnlyAfterAHealthyMinute) {
  Backoff backoff({}, constant(0.5));
  for (int i = 0; i < 5; ++i) (void)backoff.next_delay();
  EXPECT_EQ(backoff.ceiling(), 32'000ms);
  backoff.connection_lasted(59s);  // a connection that dropped before a minute: no reset
  EXPECT_EQ(backoff.ceiling(), 32'000ms);
  backoff.connection_lasted(60s);
  EXPECT_EQ(backoff.attempt(), 0);
  EXPECT_EQ(backoff.ceiling(), 1'000ms);
}

TEST(Backoff, PolicyIsConfigurable) {
  Backoff backoff({100ms, 400ms, 1s}, constant(1.0));
  EXPECT_EQ(backoff.next_delay(), 100ms);
  EXPECT_EQ(backoff.next_delay(), 200ms);
  EXPECT_EQ(backoff.next_delay(), 400ms);
  EXPECT_EQ(backoff.next_delay(), 400ms);
}

TEST(RenewalTime, IsWithinSeventyToNinetyPercentOfTheLifetime) {
  const pki::TimePoint nb{std::chrono::hours{1000}};
  const auto na = nb + std::chrono::hours{24 * 7};
  const auto lifetime = na - nb;
  EXPECT_EQ(renewal_time(nb, na, constant(0.0)), nb + lifetime * 7 / 10);
  EXPECT_EQ(renewal_time(nb, na, constant(1.0)), nb + lifetime * 9 / 10);
  EXPECT_EQ(renewal_time(nb, na, constant(0.5)), nb + lifetime * 8 / 10);
  const auto random = make_system_random();
  std::set<pki::TimePoint> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto t = renewal_time(nb, na, random);
    ASSERT_GE(t, nb + lifetime * 7 / 10);
    ASSERT_LE(t, nb + lifetime * 9 / 10);
    seen.insert(t);
  }
  EXPECT_GT(seen.size(), 900u) << "renewals of a fleet enrolled together must spread out";
}

TEST(RenewalTime, DegenerateCertificateRenewsAtOnce) {
  const pki::TimePoint t{std::chrono::hours{5}};
  EXPECT_EQ(renewal_time(t, t, constant(0.5)), t);
  EXPECT_EQ(renewal_time(t, t - 1s, constant(0.5)), t);
}

}  // namespace
}  // namespace phoenix::agent
