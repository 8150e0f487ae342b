#pragma once
// A real dockerd for integration tests (root only), following dockerd(8)'s daemon options:
// own data-root, exec-root, pidfile and unix socket under a temp dir, `--bridge=none
// --iptables=false`, optionally in its own network namespace (veth into a test bridge,
// entered with nsenter, not `ip netns exec`). Everything it creates — processes,
// mounts, namespace, veth, bridge, temp dir — is removed by the destructor, also when a
// test fails half-way.
//
// restart_command() is a single executable path (a symlink to phoenix-test-dockerd-ctl
// inside the temp dir) that stops this dockerd by pidfile and starts it again with the
// same arguments, detached (setsid), returning once /_ping answers: what a test passes
// to `phoenix-agent docker apply --restart-command`.
#include "shared/core/error.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace phoenix::test {

// A Linux bridge with an address on the host side, for namespaces to attach to. Owned by
// the test when several daemons must share one segment (a swarm); otherwise each
// DockerdFixture with a namespace makes its own.
class TestBridge {
 public:
  // name: <= 15 chars; host_cidr e.g. "10.231.9.1/24". Throws on failure (test set-up).
  TestBridge(std::string name, std::string host_cidr);
  ~TestBridge();
  TestBridge(const TestBridge&) = delete;
  TestBridge& operator=(const TestBridge&) = delete;

  const std::string& name() const { return name_; }
  const std::string& host_cidr() const { return host_cidr_; }

 private:
  std::string name_;
  std::string host_cidr_;
};

struct DockerdOptions {
  std::string name = "dockerd";  // appears in log lines and error messages
  bool own_network_namespace = false;
  // With own_network_namespace. Empty bridge: a private bridge and a free 10.231.K.0/24
  // are picked (host .1, daemon .2). With `bridge`, `address_cidr` must be given.
  std::string bridge;
  std::string address_cidr;  // the daemon's address inside its namespace, "10.231.9.2/24"
  // daemon.json for --config-file: a path (e.g. the agent's /etc/docker/daemon.json under
  // its --root) or, if empty, `daemon_json` text written into the temp dir. Read again on
  // every start: when it has "hosts", no -H is passed (dockerd refuses both) and the
  // test must list socket_path() there.
  std::string config_file;
  // Systemd emulation: a `--root` dir holding docker.service (lib/, usr/lib/ or etc/
  // systemd/system) and drop-ins (etc/systemd/system/docker.service.d/*.conf). Read again on
  // every start: the -H flags of the effective ExecStart (a drop-in's empty `ExecStart=`
  // resets it) are passed to dockerd, `fd://` standing for the fixture's socket as socket
  // activation would. So a unit with `-H fd://` plus `hosts` in daemon.json makes dockerd
  // refuse to start, as on a real machine, unless a drop-in removes the flag.
  std::string unit_root;
  std::string daemon_json;
  std::vector<std::string> extra_args;
  std::chrono::seconds ready_timeout{60};
};

class DockerdFixture {
 public:
  // "" when this process can run a real dockerd (root, dockerd and nsenter found), else
  // the reason to GTEST_SKIP with.
  static std::string why_unavailable();
  // True when the run demands a real dockerd (PHOENIX_REQUIRE_DOCKERD=1, set by `./dev test`
  // as root): a missing one is then a failure, so CI can never go green by skipping.
  static bool required();

  // Makes the temp dir and the control state; does not start anything yet.
  explicit DockerdFixture(DockerdOptions options);
  ~DockerdFixture();
  DockerdFixture(const DockerdFixture&) = delete;
  DockerdFixture& operator=(const DockerdFixture&) = delete;

  // First call also sets up the namespace. Waits until /_ping answers on socket_path()
  // (falls back to --storage-driver=vfs once if dockerd dies during start-up).
  Result<void> start();
  Result<void> stop();     // SIGTERM, grace, SIGKILL; kills its containerd and shims
  Result<void> restart();  // stop + start with the same arguments

  const std::string& dir() const { return dir_; }
  std::string socket_path() const { return dir_ + "/docker.sock"; }
  std::string data_root() const { return dir_ + "/data"; }
  std::string exec_root() const { return dir_ + "/exec"; }
  std::string pidfile() const { return dir_ + "/dockerd.pid"; }
  std::string log_path() const { return dir_ + "/dockerd.log"; }
  std::string config_file() const;          // "" when none
  std::string restart_command() const { return dir_ + "/restart-dockerd"; }
  std::string netns_name() const { return netns_; }  // "" without a namespace
  std::string address() const;              // namespace IP without prefix, "" without
  int pid() const;                          // from the pidfile; 0 when not running
  std::string log_tail(std::size_t max_bytes = 2000) const;

 private:
  Result<void> set_up_network();
  void tear_down();

  DockerdOptions options_;
  std::string id_;  // unique per fixture: "<pid>x<n>"
  std::string dir_;
  std::string netns_;
  std::string veth_host_;
  std::string address_cidr_;
  std::unique_ptr<TestBridge> own_bridge_;
  bool network_ready_ = false;
};

// The control steps, shared by the fixture and phoenix-test-dockerd-ctl; `dir` is a
// fixture's temp dir holding its state file.
namespace dockerd_control {
Result<void> start(const std::string& dir);
Result<void> stop(const std::string& dir);
Result<void> restart(const std::string& dir);
}  // namespace dockerd_control

}  // namespace phoenix::test

// In a test body or SetUp: skip when no real dockerd can run here, fail instead when the
// run requires one (see DockerdFixture::required).
#define PHOENIX_SKIP_WITHOUT_DOCKERD()                                              \
  do {                                                                              \
    const std::string phoenix_why = ::phoenix::test::DockerdFixture::why_unavailable(); \
    if (!phoenix_why.empty()) {                                                     \
      if (::phoenix::test::DockerdFixture::required()) {                            \
        GTEST_FAIL() << "PHOENIX_REQUIRE_DOCKERD=1 but " << phoenix_why;            \
      }                                                                             \
      GTEST_SKIP() << phoenix_why;                                                  \
    }                                                                               \
  } while (false)
