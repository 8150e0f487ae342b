#include "hub/limits/accept_backoff.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::limits {
namespace {

using std::chrono::milliseconds;

TEST(AcceptBackoff, DoublesFromStartUpToTheCap) {
  AcceptBackoff backoff(milliseconds(10), milliseconds(70));
  EXPECT_EQ(backoff.next_delay(), milliseconds(10));
  EXPECT_EQ(backoff.next_delay(), milliseconds(20));
  EXPECT_EQ(backoff.next_delay(), milliseconds(40));
  EXPECT_EQ(backoff.next_delay(), milliseconds(70));
  EXPECT_EQ(backoff.next_delay(), milliseconds(70));
}

TEST(AcceptBackoff, ASuccessStartsOver) {
  AcceptBackoff backoff(milliseconds(10), milliseconds(1000));
  backoff.next_delay();
  backoff.next_delay();
  backoff.reset();
  EXPECT_EQ(backoff.next_delay(), milliseconds(10));
}

TEST(AcceptBackoff, NeverRetriesAtOnce) {
  AcceptBackoff backoff(milliseconds(0), milliseconds(0));
  EXPECT_GE(backoff.next_delay(), milliseconds(1));
}

}  // namespace
}  // namespace phoenix::hub::limits
