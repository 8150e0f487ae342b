// The platform layer on this system: defaults for each system, descriptors, own path, sockets.
#include "shared/platform/default_locations.hpp"
#include "shared/platform/descriptors.hpp"
#include "shared/platform/executable_path.hpp"
#include "shared/platform/service_notify.hpp"
#include "shared/platform/socket_options.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace phoenix::platform {
namespace {

TEST(DefaultLocations, LinuxKeepsThePackagedServicePaths) {
  const auto d = default_locations_for(HostSystem::linux_system, "/home/ann");
  EXPECT_EQ(d.tart_path, "/opt/homebrew/bin/tart");
  EXPECT_EQ(d.state_dir, "/var/lib/phoenix-hub");
  EXPECT_EQ(d.config_path, "/etc/phoenix/hub.json");
}

TEST(DefaultLocations, MacKeepsStateInTheUsersApplicationSupport) {
  const auto d = default_locations_for(HostSystem::macos, "/Users/ann/");
  EXPECT_EQ(d.tart_path, "/opt/homebrew/bin/tart");
  EXPECT_EQ(d.state_dir, "/Users/ann/Library/Application Support/Phoenix");
  EXPECT_EQ(d.config_path, "/Users/ann/Library/Application Support/Phoenix/hub.json");
}

TEST(DefaultLocations, MacWithoutAUsableHomeFallsBackToTheServicePath) {
  EXPECT_EQ(default_locations_for(HostSystem::macos, "").state_dir, "/var/lib/phoenix-hub");
  EXPECT_EQ(default_locations_for(HostSystem::macos, "relative").state_dir, "/var/lib/phoenix-hub");
}

TEST(DefaultLocations, ThisProcessUsesItsSystem) {
  const auto d = default_locations();
  EXPECT_EQ(d, default_locations_for(host_system(), std::getenv("HOME") ? std::getenv("HOME") : ""));
}

TEST(Descriptors, MarksEveryDescriptorFromTheFirstCloseOnExec) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);  // no O_CLOEXEC
  ASSERT_EQ(::fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
  mark_descriptors_cloexec_from(fds[0]);
  EXPECT_NE(::fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_NE(::fcntl(fds[1], F_GETFD) & FD_CLOEXEC, 0);
  EXPECT_EQ(::fcntl(STDERR_FILENO, F_GETFD) & FD_CLOEXEC, 0);  // below `first`: untouched
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(ExecutablePath, NamesThisTestProgram) {
  const auto path = own_executable_path();
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(path.front(), '/');
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_NE(path.find("platform"), std::string::npos) << path;
}

TEST(SocketOptions, SetsTheUnacknowledgedTimeoutOnATcpSocket) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  if (std::string(unacknowledged_timeout_option_name()).empty()) {
    EXPECT_FALSE(set_unacknowledged_timeout(fd, std::chrono::seconds(45)));
  } else {
    EXPECT_TRUE(set_unacknowledged_timeout(fd, std::chrono::seconds(45)));
  }
  EXPECT_FALSE(set_unacknowledged_timeout(fd, std::chrono::milliseconds(0)));
  ::close(fd);
  EXPECT_FALSE(set_unacknowledged_timeout(-1, std::chrono::seconds(1)));
}

TEST(ServiceNotify, WithoutAServiceManagerEveryCallSucceedsQuietly) {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  EXPECT_TRUE(notify_service("READY=1"));
  EXPECT_EQ(watchdog_interval(), std::nullopt);
}

}  // namespace
}  // namespace phoenix::platform
