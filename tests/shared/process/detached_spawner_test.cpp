#include "shared/process/detached_spawner.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace phoenix::process {
namespace {

using namespace std::chrono_literals;

struct TempDir {
  TempDir() {
    char pattern[] = "/tmp/phoenix-spawn-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<int> wait_exit(const DetachedChild& child, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto code = child.exit_code()) return code;
    std::this_thread::sleep_for(5ms);
  }
  return std::nullopt;
}

// The session id (POSIX getsid: works where there is no /proc, e.g. macOS).
long session_of(int pid) { return static_cast<long>(::getsid(pid)); }

TEST(RealDetachedSpawner, AppendsOutputToTheLogAndKeepsTheExitCode) {
  TempDir dir;
  const std::string log = dir.path + "/vm.log";
  std::ofstream(log) << "earlier run\n";
  RealDetachedSpawner spawner;
  auto child = spawner.spawn({{"/bin/sh", "-c", "echo to-out; echo to-err >&2; read x; exit 3"},
                              log,
                              {}});
  ASSERT_TRUE(child) << child.error().to_string();
  EXPECT_EQ(wait_exit(**child, 2000ms), 3);  // `read` hit EOF: stdin is /dev/null
  EXPECT_EQ(read_all(log), "earlier run\nto-out\nto-err\n");
}

TEST(RealDetachedSpawner, ChildHasItsOwnSessionAndEnvironment) {
  TempDir dir;
  RealDetachedSpawner spawner;
  auto child = spawner.spawn({{"/bin/sh", "-c", "echo \"$PHX_X\"; exec sleep 5"},
                              dir.path + "/log",
                              {{"PHX_X", "hello"}}});
  ASSERT_TRUE(child);
  const int pid = (*child)->pid();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(session_of(pid), pid);
  EXPECT_NE(session_of(pid), static_cast<long>(::getsid(0)));
  EXPECT_FALSE((*child)->exit_code().has_value());
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(**child, 2000ms), 128 + SIGTERM);
  EXPECT_EQ(read_all(dir.path + "/log"), "hello\n");
}

TEST(RealDetachedSpawner, ReportsMissingProgramAndUnwritableLog) {
  TempDir dir;
  RealDetachedSpawner spawner;
  auto missing = spawner.spawn({{"/nonexistent/tart", "run"}, dir.path + "/log", {}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "not_found");
  auto bad_log = spawner.spawn({{"/bin/true"}, dir.path + "/no/such/dir/log", {}});
  ASSERT_FALSE(bad_log);
  EXPECT_EQ(bad_log.error().code, "log_failed");
  auto relative = spawner.spawn({{"true"}, dir.path + "/log", {}});
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().code, "spawn_failed");
}

TEST(ChildEnvironment, OverridesReplaceInheritedValues) {
  ::setenv("PHX_ENV_TEST", "old", 1);
  auto env = child_environment({{"PHX_ENV_TEST", "new"}});
  int count = 0;
  for (const auto& kv : env) {
    if (kv.rfind("PHX_ENV_TEST=", 0) == 0) {
      ++count;
      EXPECT_EQ(kv, "PHX_ENV_TEST=new");
    }
  }
  EXPECT_EQ(count, 1);
  ::unsetenv("PHX_ENV_TEST");
}

}  // namespace
}  // namespace phoenix::process
