#include "hub/tart/tart_errors.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

process::RunResult failed(int code, std::string err, std::string out = {}) {
  process::RunResult r;
  r.exit_code = code;
  r.err = std::move(err);
  r.out = std::move(out);
  return r;
}

TEST(MapTartFailure, ExitTwoFamily) {
  auto e = map_tart_failure(failed(2, "the specified VM \"vm9\" does not exist\n"), "tart get vm9");
  EXPECT_EQ(e.code, "vm_not_found");
  EXPECT_EQ(e.message, "the specified VM \"vm9\" does not exist");
  EXPECT_EQ(map_tart_failure(failed(2, "VM \"a\" is already running!\n"), "x").code, "already_running");
  EXPECT_EQ(map_tart_failure(failed(2, "VM \"a\" is not running\n"), "x").code, "not_running");
}

TEST(MapTartFailure, OtherFailuresKeepTartsTextTrimmed) {
  auto e = map_tart_failure(failed(1, "  VM \"a\" is running\n"), "tart delete a");
  EXPECT_EQ(e.code, "driver_failed");
  EXPECT_EQ(e.message, "VM \"a\" is running");
  // Exit 2 with an unrelated text is not guessed into a state error.
  EXPECT_EQ(map_tart_failure(failed(2, "something else"), "x").code, "driver_failed");
  // The words alone, with another exit code, are not enough either.
  EXPECT_EQ(map_tart_failure(failed(1, "VM \"a\" is not running"), "x").code, "driver_failed");
  EXPECT_EQ(map_tart_failure(failed(64, "Error: Unknown option '--x'"), "x").message,
            "Error: Unknown option '--x'");
}

TEST(MapTartFailure, EmptyStderrFallsBackToStdoutThenToADescription) {
  EXPECT_EQ(map_tart_failure(failed(1, "", "from stdout\n"), "x").message, "from stdout");
  auto e = map_tart_failure(failed(3, " \n"), "tart ip vm1");
  EXPECT_EQ(e.code, "driver_failed");
  EXPECT_EQ(e.message, "tart ip vm1 failed with exit code 3 and no message");
}

TEST(MapTartFailure, DeadlineIsDriverTimeout) {
  auto r = failed(143, "");
  r.timed_out = true;
  r.signal = 15;
  auto e = map_tart_failure(r, "tart list");
  EXPECT_EQ(e.code, "driver_timeout");
  EXPECT_NE(e.message.find("tart list"), std::string::npos);
}

TEST(MapTartExit, EarlyExitOfRun) {
  EXPECT_EQ(map_tart_exit(2, "VM \"a\" is already running!\n", "tart run a").code, "already_running");
  auto e = map_tart_exit(1, "Failed to boot: no space left\n", "tart run a");
  EXPECT_EQ(e.code, "driver_failed");
  EXPECT_EQ(e.message, "Failed to boot: no space left");
}

// tart's stderr may hold any bytes (a VM name from a file name, a crash dump): the message
// that reaches API callers and logs is escaped, one line, valid UTF-8, and at most ~1 KiB.
TEST(MapTartExit, HostileBytesAreEscapedAndCapped) {
  auto e = map_tart_exit(1, "bad \xff name\nforged log line", "tart run a");
  EXPECT_EQ(e.message, "bad \\xff name\\x0aforged log line");
  const auto long_text = map_tart_exit(1, std::string(100000, 'x'), "tart run a").message;
  EXPECT_LE(long_text.size(), 1030u);
  EXPECT_EQ(long_text.substr(long_text.size() - 3), "...");
}

TEST(Trim, BothEnds) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(trim("\n\t "), "");
  EXPECT_EQ(trim(""), "");
}

}  // namespace
}  // namespace phoenix::hub
