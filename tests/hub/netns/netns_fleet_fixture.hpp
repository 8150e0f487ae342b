#pragma once
// The netns fleet fixture of the integration tests (issue 6): the real `phoenix-hub serve
// --driver netns` with three VMs vm1..vm3, each a network namespace on a bridge with a real
// dockerd and a real phoenix-agent; TearDown fails the test for anything the hub left behind.
// Set auto_join_ / managers_ before SetUp() to change the swarm settings.
#include "agent/engine/server_certificate.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/http/support/http_test_client.hpp"
#include "tests/support/dockerd_fixture.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

namespace phoenix::test {

using namespace std::chrono_literals;
using nlohmann::json;
namespace stdfs = std::filesystem;

inline constexpr const char* kContextId = "03a8f0dd8edb33781a836ac497800b5f9c5c47c2ddbfd0f89581140589725a85";

inline std::string docker_cli() {
  for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// Processes whose command line mentions `text` (dockerd, containerd, agents of this test).
inline int processes_mentioning(const std::string& text) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), ::isdigit) || std::stoi(pid) == ::getpid()) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(text) != std::string::npos) ++count;
  }
  return count;
}

class NetnsDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PHOENIX_SKIP_WITHOUT_DOCKERD();
    const int n = static_cast<int>(::getpid() % 200) + 20;
    bridge_ = "phxi" + std::to_string(n);
    subnet_prefix_ = "10.79." + std::to_string(n) + ".";
    api_port_ = free_port();
    agent_port_ = free_port();
    const json config = {
        {"api", {{"listen", "127.0.0.1:" + std::to_string(api_port_)}}},
        {"agent_endpoint",
         {{"listen", "0.0.0.0:" + std::to_string(agent_port_)},
          {"public_url", "wss://" + subnet_prefix_ + "1:" + std::to_string(agent_port_)}}},
        {"driver", "netns"},
        {"netns",
         {{"bridge", bridge_},
          {"subnet", subnet_prefix_ + "0/24"},
          {"vms", json::array({{{"name", "vm1"}}, {{"name", "vm2"}}, {{"name", "vm3"}}})}}},
        {"swarm", {{"managers", managers_}, {"auto_join", auto_join_}}}};
    write_text_file(config_, config.dump(2));
    ASSERT_EQ(init_hub_state(state_, config_), 0);
    hub_ = std::make_unique<HubProcess>(
        std::vector<std::string>{"--config", config_, "--state-dir", state_},
        Env{{"PHOENIX_NETNS_AGENT_ARGS", "--backoff-start-ms 100 --backoff-cap-ms 500 --state-interval-ms 300"}},
        dir_.path() + "/hub.log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }

  void TearDown() override {
    if (HasFailure() && hub_) {
      std::cerr << "--- hub log ---\n" << hub_->log();
      for (const char* vm : {"vm1", "vm2", "vm3"}) {
        std::cerr << "--- agent " << vm << " ---\n" << read_text_file(state_ + "/netns/" + vm + "/agent.log");
      }
    }
    hub_.reset();  // SIGTERM: the driver removes every VM and the bridge
    if (bridge_.empty()) return;  // skipped before anything was made
    // What the hub did not remove fails the test, and is removed here so it cannot pile up.
    std::string left;
    for (const char* vm : {"vm1", "vm2", "vm3"}) {
      const std::string netns = bridge_ + "-" + vm;
      if (!stdfs::exists("/var/run/netns/" + netns)) continue;
      left += " namespace " + netns;
      run_program({"/usr/bin/pkill", "-KILL", "-f", state_});
      run_program({"/usr/sbin/ip", "netns", "delete", netns});
    }
    if (stdfs::exists("/sys/class/net/" + bridge_)) {
      left += " bridge " + bridge_;
      run_program({"/usr/sbin/ip", "link", "delete", bridge_});
    }
    EXPECT_EQ(left, "") << "the hub's shutdown left these behind";
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) {
    return http_call(api_port_, method, target, {}, body, 90s);
  }

  std::string home(const std::string& vm) const { return state_ + "/netns/" + vm + "/root/root"; }
  std::string address(int index) const { return subnet_prefix_ + std::to_string(10 + index); }

  // The serial the VM's dockerd serves on its address, seen from the host over the bridge
  // with the VM's own phoenix context.
  std::string served_serial(const std::string& vm, int index) {
    const auto tls_dir = home(vm) + "/.docker/contexts/tls/" + kContextId + "/docker/";
    agent::engine::TlsMaterial tls{read_text_file(tls_dir + "ca.pem"), read_text_file(tls_dir + "cert.pem"),
                                   read_text_file(tls_dir + "key.pem")};
    auto cert = agent::engine::fetch_server_certificate(address(index), 2376, tls);
    return cert ? cert->serial_hex : "error: " + cert.error().to_string();
  }

  // `docker version` inside the VM's namespace, as its root user, through the phoenix context.
  int docker_in_vm(const std::string& vm, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"/usr/bin/nsenter", "--net=/var/run/netns/" + bridge_ + "-" + vm, "--", docker_cli()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program_output(argv, dir_.path() + "/cli.out", dir_.path() + "/cli.err", Env{{"HOME", home(vm)}});
  }

  struct Client {
    std::string dir;
  };
  // Files of a docker client cert signed by the hub's CA `name` (<state>/ca/<name>.pem/.key).
  Client client_of(const std::string& name) {
    auto ca = pki::CertificateAuthority::load(read_text_file(state_ + "/ca/" + name + ".pem"),
                                              read_text_file(state_ + "/ca/" + name + ".key"))
                  .value();
    auto key = pki::PrivateKey::generate_p256().value();
    pki::SigningPolicy policy;
    policy.common_name = "operator";
    policy.usage = pki::Usage::client_auth;
    policy.lifetime = std::chrono::hours(1);
    const auto cert = ca.sign(pki::CertificateRequest::create(key, "operator", {}, {}).value(), policy).value();
    Client client{dir_.path() + "/client-" + name};
    stdfs::create_directories(client.dir);
    write_text_file(client.dir + "/cert.pem", cert.to_pem());
    write_text_file(client.dir + "/key.pem", key.to_pem());
    return client;
  }
  // The real docker CLI from the host, over the bridge, with `client`'s cert; the server is
  // verified with `server_ca` (by default the VM's own context CA bundle).
  bool accepts(const std::string& vm, int index, const Client& client, std::string server_ca = "") {
    const auto ca = server_ca.empty() ? home(vm) + "/.docker/contexts/tls/" + kContextId + "/docker/ca.pem" : server_ca;
    stdfs::create_directories(dir_.path() + "/cli-home");
    return run_program_output({docker_cli(), "--tlsverify", "--tlscacert", ca, "--tlscert", client.dir + "/cert.pem",
                               "--tlskey", client.dir + "/key.pem", "-H",
                               "tcp://" + address(index) + ":2376", "version", "--format", "{{.Server.Version}}"},
                              dir_.path() + "/accepts.out", dir_.path() + "/accepts.err",
                              Env{{"HOME", dir_.path() + "/cli-home"}}) == 0;
  }

  // POST /rotations with `request` and wait until it finishes; the final record.
  json run_rotation(const json& request, std::chrono::seconds timeout = std::chrono::seconds(180)) {
    const auto started = call("POST", "/rotations", request.dump());
    EXPECT_EQ(started.status, 202) << started.body;
    const std::string id = started.json().value("id", "");
    json done;
    EXPECT_TRUE(eventually(
        [&] {
          done = call("GET", "/rotations/" + id).json();
          return !done.value("finished_at", json()).is_null();
        },
        timeout))
        << done.dump(2);
    return done;
  }
  // The one-VM rotations the hub starts at enrollment (docker TLS setup) are all done.
  bool setups_done(std::size_t vms) {
    const auto rotations = call("GET", "/rotations").json();
    return rotations.is_array() && rotations.size() == vms &&
           std::all_of(rotations.begin(), rotations.end(),
                       [](const json& r) { return r.value("state", "") == "completed"; });
  }

  bool auto_join_ = false;
  json managers_ = 1;  // a count or a list of names
  TempDir dir_;
  std::string state_ = dir_.path() + "/state";
  std::string config_ = dir_.path() + "/hub.json";
  std::string bridge_;
  std::string subnet_prefix_;
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  std::unique_ptr<HubProcess> hub_;
};

}  // namespace phoenix::test
