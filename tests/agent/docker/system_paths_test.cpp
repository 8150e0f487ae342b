#include "agent/docker/system_paths.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::docker {
namespace {

TEST(SystemPaths, RealSystemPathsWithoutRoot) {
  const auto paths = SystemPaths::under("");
  EXPECT_EQ(paths.daemon_json, "/etc/docker/daemon.json");
  EXPECT_EQ(paths.tls_dir, "/etc/docker/tls");
  EXPECT_EQ(paths.phoenix_dropin, "/etc/systemd/system/docker.service.d/phoenix.conf");
  EXPECT_EQ(paths.unit_search_order,
            (std::vector<std::string>{"/etc/systemd/system/docker.service", "/lib/systemd/system/docker.service",
                                      "/usr/lib/systemd/system/docker.service"}));
  EXPECT_EQ(paths.etc_environment, "/etc/environment");
  EXPECT_EQ(paths.profile_d, "/etc/profile.d");
  EXPECT_EQ(paths.default_docker, "/etc/default/docker");
  EXPECT_EQ(paths.root_home, "/root");
  EXPECT_EQ(paths.home_base, "/home");
  EXPECT_EQ(paths.host_path("/etc/docker/tls/ca.pem"), "/etc/docker/tls/ca.pem");
}

TEST(SystemPaths, EveryPathCarriesTheRootPrefix) {
  const auto paths = SystemPaths::under("/tmp/r/");
  for (const auto& p : {paths.docker_dir, paths.daemon_json, paths.tls_dir, paths.dropin_dir, paths.phoenix_dropin,
                        paths.etc_environment, paths.profile_d, paths.default_docker, paths.etc_passwd,
                        paths.root_home, paths.home_base}) {
    EXPECT_EQ(p.rfind("/tmp/r/", 0), 0u) << p;
  }
  for (const auto& p : paths.unit_search_order) EXPECT_EQ(p.rfind("/tmp/r/", 0), 0u) << p;
  for (const auto& p : paths.dropin_search_order) EXPECT_EQ(p.rfind("/tmp/r/", 0), 0u) << p;
  EXPECT_EQ(paths.daemon_json, "/tmp/r/etc/docker/daemon.json");
  EXPECT_EQ(paths.host_path("/etc/docker/tls/ca.pem"), "/tmp/r/etc/docker/tls/ca.pem");
  // Already under the root (daemon.json written by `docker apply --root`): unchanged.
  EXPECT_EQ(paths.host_path("/tmp/r/etc/docker/tls/ca.pem"), "/tmp/r/etc/docker/tls/ca.pem");
  EXPECT_EQ(paths.host_path("/tmp/rx/ca.pem"), "/tmp/r/tmp/rx/ca.pem");
}

}  // namespace
}  // namespace phoenix::agent::docker
