#include "shared/process/real_process_runner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <thread>

namespace phoenix::process {
namespace {

using namespace std::chrono_literals;

RunOptions sh(const std::string& script, std::chrono::milliseconds timeout = 5s) {
  RunOptions options;
  options.argv = {"/bin/sh", "-c", script};
  options.timeout = timeout;
  return options;
}

TEST(RealProcessRunner, CapturesStdoutStderrAndExitCode) {
  RealProcessRunner runner;
  auto result = runner.run(sh("echo out; echo err >&2; exit 3"));
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_FALSE(result->timed_out);
  EXPECT_FALSE(result->truncated);
  EXPECT_EQ(result->signal, 0);
}

TEST(RealProcessRunner, ChildInheritsNoDescriptorBeyondStdio) {
  // Asio sockets are opened without O_CLOEXEC; a plain fd stands in for a listening socket.
  const int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(leaked, 3);
  RealProcessRunner runner;
  auto result = runner.run(sh("test -e /dev/fd/" + std::to_string(leaked) + " && echo inherited || echo clean"));
  ::close(leaked);
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ(result->out, "clean\n");
}

TEST(RealProcessRunner, PassesArgumentsVerbatimWithoutAShell) {
  RealProcessRunner runner;
  RunOptions options;
  options.argv = {"/bin/echo", "$(id)", "a;b", "*", "two words"};
  auto result = runner.run(options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->out, "$(id) a;b * two words\n");
}

TEST(RealProcessRunner, StdinIsEmpty) {
  RealProcessRunner runner;
  auto result = runner.run(sh("cat; echo done"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->out, "done\n");
}

TEST(RealProcessRunner, DrainsBothPipesConcurrentlyAndCapsOutput) {
  RealProcessRunner runner;
  // 1 MiB on each stream: a runner that read one pipe after the other would deadlock
  // once the other pipe's 64 KiB buffer filled.
  auto options = sh("head -c 1048576 /dev/zero; head -c 1048576 /dev/zero >&2; "
                    "head -c 1048576 /dev/zero; exit 0");
  options.max_output_bytes = 100000;
  auto result = runner.run(options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->out.size(), 100000u);
  EXPECT_EQ(result->err.size(), 100000u);
  EXPECT_TRUE(result->truncated);
}

TEST(RealProcessRunner, DeadlineSendsSigtermAndReportsTimeout) {
  RealProcessRunner runner;
  const auto started = std::chrono::steady_clock::now();
  auto result = runner.run(sh("echo begun; exec sleep 10", 200ms));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGTERM);
  EXPECT_EQ(result->exit_code, 128 + SIGTERM);
  EXPECT_EQ(result->out, "begun\n");
  EXPECT_LT(took, 2s);
}

TEST(RealProcessRunner, ChildIgnoringSigtermIsKilledAfterTheGrace) {
  RealProcessRunner runner(150ms);
  const auto started = std::chrono::steady_clock::now();
  // The shell ignores TERM, and the loop never exits by itself.
  auto result = runner.run(sh("trap '' TERM; echo ready; while :; do sleep 0.05; done", 150ms));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->timed_out);
  EXPECT_EQ(result->signal, SIGKILL);
  EXPECT_LT(took, 2s);
}

TEST(RealProcessRunner, DoesNotWaitForGrandchildrenHoldingThePipes) {
  RealProcessRunner runner;
  const auto started = std::chrono::steady_clock::now();
  auto result = runner.run(sh("sleep 1 & echo parent done"));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->out, "parent done\n");
  EXPECT_FALSE(result->timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(RealProcessRunner, AddsExtraEnvironment) {
  RealProcessRunner runner;
  auto options = sh("echo \"$PHOENIX_TEST_VALUE\"; echo \"$HOME\" | wc -c");
  options.extra_env = {{"PHOENIX_TEST_VALUE", "a b=c"}};
  auto result = runner.run(options);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->out.substr(0, 6), "a b=c\n");
}

TEST(RealProcessRunner, MissingProgramIsNotFound) {
  RealProcessRunner runner;
  RunOptions options;
  options.argv = {"/nonexistent/phoenix-no-such-program"};
  auto result = runner.run(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "not_found");
}

TEST(RealProcessRunner, RefusesRelativeOrEmptyProgram) {
  RealProcessRunner runner;
  RunOptions relative;
  relative.argv = {"sh", "-c", "true"};
  auto result = runner.run(relative);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "spawn_failed");
  EXPECT_FALSE(runner.run(RunOptions{}));
}

TEST(RealProcessRunner, NonExecutableFileIsSpawnFailed) {
  char path[] = "/tmp/phoenix-noexec-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  ::chmod(path, 0644);
  RealProcessRunner runner;
  RunOptions options;
  options.argv = {path};
  auto result = runner.run(options);
  ::unlink(path);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "spawn_failed");
}

TEST(RealProcessRunner, ExecFailureIsAnErrorNotAThrow) {
  // Executable bits but no valid format: exec fails inside the forked child.
  char path[] = "/tmp/phoenix-badexec-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "\x01\x02\x03\x04", 4), 4);
  ::close(fd);
  ::chmod(path, 0755);
  RealProcessRunner runner;
  RunOptions options;
  options.argv = {path};
  auto result = runner.run(options);
  ::unlink(path);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "spawn_failed");
  EXPECT_NE(result.error().message.find("xec format"), std::string::npos) << result.error().message;
}

TEST(RealProcessRunner, ManyThreadsAtOnce) {
  RealProcessRunner runner;
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto result = runner.run(sh("echo " + std::to_string(i) + "; exit " + std::to_string(i)));
      if (result && result->exit_code == i && result->out == std::to_string(i) + "\n") ++good;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 8);
}

TEST(DescribeOutcome, NamesExitSignalAndTimeout) {
  RunOptions options;
  options.timeout = 500ms;
  RunResult r;
  r.exit_code = 2;
  EXPECT_EQ(describe_outcome(r, options), "exit 2");
  r.signal = 9;
  EXPECT_EQ(describe_outcome(r, options), "killed by signal 9");
  r.timed_out = true;
  EXPECT_EQ(describe_outcome(r, options), "timed out after 500 ms");
}

}  // namespace
}  // namespace phoenix::process
