#include "agent/docker/systemd_dropin.hpp"

#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::docker {
namespace {

// Debian 12's docker.io unit (abridged to the lines that matter, layout kept).
constexpr const char* kDebianUnit = R"([Unit]
Description=Docker Application Container Engine
After=network-online.target docker.socket firewalld.service containerd.service
Requires=docker.socket containerd.service

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutStartSec=0
Restart=always

[Install]
WantedBy=multi-user.target
)";

// docker-ce's unit.
constexpr const char* kDockerCeUnit = R"([Unit]
Description=Docker Application Container Engine
Documentation=https://docs.docker.com

[Service]
Type=notify
# the default is not to use systemd for cgroups because the delegate issues still
# exists and systemd currently does not support the cgroup feature set required
# for containers run by docker
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
ExecReload=/bin/kill -s HUP $MAINPID
)";

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

TEST(SystemdDropin, DebianUnitKeepsSbinDockerdContainerdAndDockerOpts) {
  EXPECT_TRUE(unit_passes_host_flag(kDebianUnit));
  const auto dropin = make_dropin(kDebianUnit);
  ASSERT_TRUE(dropin) << dropin.error().to_string();
  EXPECT_NE(dropin->find("[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd "
                         "--containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n"),
            std::string::npos)
      << *dropin;
  EXPECT_NE(dropin->find("specified both as a flag and in the configuration file: hosts"), std::string::npos);
  EXPECT_NE(dropin->find("phoenix-agent"), std::string::npos);
  // The unit plus the drop-in no longer passes -H.
  EXPECT_FALSE(unit_passes_host_flag(kDebianUnit, {*dropin}));
}

TEST(SystemdDropin, DockerCeUnitKeepsUsrBinDockerd) {
  EXPECT_TRUE(unit_passes_host_flag(kDockerCeUnit));
  const auto dropin = make_dropin(kDockerCeUnit);
  ASSERT_TRUE(dropin);
  EXPECT_EQ(last_line(*dropin), "ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock");
  EXPECT_FALSE(unit_passes_host_flag(kDockerCeUnit, {*dropin}));
}

TEST(SystemdDropin, RecognisesEveryHostFlagSpelling) {
  for (const char* exec : {"/usr/bin/dockerd -H fd://", "/usr/bin/dockerd --host fd://", "/usr/bin/dockerd -H=fd://",
                           "/usr/bin/dockerd --host=unix:///x.sock", "/usr/bin/dockerd -Hfd://"}) {
    const std::string unit = std::string("[Service]\nExecStart=") + exec + " --debug\n";
    EXPECT_TRUE(unit_passes_host_flag(unit)) << exec;
    const auto dropin = make_dropin(unit);
    ASSERT_TRUE(dropin);
    EXPECT_EQ(last_line(*dropin), "ExecStart=/usr/bin/dockerd --debug") << exec;
  }
  EXPECT_FALSE(unit_passes_host_flag("[Service]\nExecStart=/usr/bin/dockerd --containerd=/x --debug\n"));
  // -H outside [Service] or commented out does not count.
  EXPECT_FALSE(unit_passes_host_flag("[Unit]\nExecStart=/usr/bin/dockerd -H fd://\n"));
  EXPECT_FALSE(unit_passes_host_flag("[Service]\n#ExecStart=/usr/bin/dockerd -H fd://\nExecStart=/usr/bin/dockerd\n"));
}

TEST(SystemdDropin, LastExecStartWinsAndEmptyResets) {
  const std::string other_dropin = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --debug\n";
  EXPECT_FALSE(unit_passes_host_flag(kDebianUnit, {other_dropin}));
  EXPECT_EQ(effective_exec_start(kDebianUnit, {other_dropin}), "/usr/bin/dockerd --debug");
  EXPECT_EQ(effective_exec_start(kDebianUnit, {"[Service]\nExecStart=\n"}), std::nullopt);
  const std::string adds_host = "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --host=tcp://0.0.0.0:2375\n";
  EXPECT_TRUE(unit_passes_host_flag(kDockerCeUnit, {other_dropin, adds_host}));
}

TEST(SystemdDropin, ContinuationLinesAndPrefixesAreKept) {
  const std::string unit = "[Service]\nExecStart=-/usr/sbin/dockerd \\\n  -H fd:// \\\n  --containerd=/run/c.sock\n";
  EXPECT_TRUE(unit_passes_host_flag(unit));
  const auto dropin = make_dropin(unit);
  ASSERT_TRUE(dropin);
  EXPECT_EQ(last_line(*dropin), "ExecStart=-/usr/sbin/dockerd --containerd=/run/c.sock");
}

TEST(SystemdDropin, NoExecStartIsAnError) {
  const auto dropin = make_dropin("[Service]\nType=notify\n");
  ASSERT_FALSE(dropin);
  EXPECT_EQ(dropin.error().code, "docker_unit_no_exec_start");
}

TEST(SystemdDropin, FindsTheUnitInSearchOrder) {
  fs::FakeFileSystem fs;
  const auto paths = SystemPaths::under("/r");
  EXPECT_EQ(find_docker_unit(fs, paths).error().code, "docker_unit_not_found");
  fs.put("/r/usr/lib/systemd/system/docker.service", kDockerCeUnit);
  EXPECT_EQ(find_docker_unit(fs, paths)->path, "/r/usr/lib/systemd/system/docker.service");
  fs.put("/r/lib/systemd/system/docker.service", kDebianUnit);
  const auto unit = find_docker_unit(fs, paths);
  ASSERT_TRUE(unit);
  EXPECT_EQ(unit->path, "/r/lib/systemd/system/docker.service");
  EXPECT_EQ(unit->text, kDebianUnit);
}

TEST(SystemdDropin, FindsDropinsSortedByNameWithEtcMaskingLib) {
  fs::FakeFileSystem fs;
  const auto paths = SystemPaths::under("/r");
  fs.put("/r/lib/systemd/system/docker.service.d/10-a.conf", "lib-a");
  fs.put("/r/etc/systemd/system/docker.service.d/10-a.conf", "etc-a");
  fs.put("/r/etc/systemd/system/docker.service.d/phoenix.conf", "ours");
  fs.put("/r/lib/systemd/system/docker.service.d/05-b.conf", "lib-b");
  fs.put("/r/etc/systemd/system/docker.service.d/notes.txt", "ignored");
  const auto all = find_docker_dropins(fs, paths);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].text, "lib-b");
  EXPECT_EQ(all[1].text, "etc-a");
  EXPECT_EQ(all[2].text, "ours");
  EXPECT_EQ(find_docker_dropins(fs, paths, paths.phoenix_dropin).size(), 2u);
}

}  // namespace
}  // namespace phoenix::agent::docker
