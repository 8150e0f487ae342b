#include "shared/core/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phoenix::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_sink([this](Level, std::string_view line) { lines.emplace_back(line); });
  }
  void TearDown() override {
    reset_sink();
    set_min_level(Level::info);
  }
  std::vector<std::string> lines;
};

TEST_F(LogTest, PrefixesJournaldPriority) {
  error("agent", "dockerd did not come back");
  warning("agent", "cert expires in 3 days");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "<3>agent: dockerd did not come back");
  EXPECT_EQ(lines[1], "<4>agent: cert expires in 3 days");
}

TEST_F(LogTest, DropsLinesBelowMinimumLevel) {
  debug("hub", "noise");
  EXPECT_TRUE(lines.empty());
  set_min_level(Level::debug);
  debug("hub", "now visible");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "<7>hub: now visible");
}

TEST_F(LogTest, NewlinesCannotSplitOneEventIntoTwoEntries) {
  info("hub", "line one\n<3>forged: line two");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "<6>hub: line one <3>forged: line two");
}

TEST(LogFormat, TerminalFormatUsesLevelNames) {
  EXPECT_EQ(format_line(Level::error, "hub", "x", false), "ERROR hub: x");
  EXPECT_EQ(format_line(Level::info, "hub", "x", true), "<6>hub: x");
}

TEST(LogFormat, ParsesLevelNames) {
  Level level = Level::info;
  EXPECT_TRUE(parse_level("debug", level));
  EXPECT_EQ(level, Level::debug);
  EXPECT_FALSE(parse_level("verbose", level));
}

}  // namespace
}  // namespace phoenix::log
