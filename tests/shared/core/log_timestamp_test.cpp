#include "shared/core/log_timestamp.hpp"

#include <gtest/gtest.h>

namespace phoenix::log {
namespace {

TEST(LogTimestamp, IsUtcWithMillisecondsAndASpace) {
  // 2026-12-03T06:55:44Z is 1796280944 s after the epoch.
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1796280944)) +
                    std::chrono::milliseconds(7);
  EXPECT_EQ(timestamp_prefix(when), "2026-12-03T06:55:44.007Z ");
}

TEST(LogTimestamp, TheEpochHasNoSurprises) {
  EXPECT_EQ(timestamp_prefix(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00.000Z ");
}

}  // namespace
}  // namespace phoenix::log
