#pragma once
// The fleet of the docker-tls e2e tests, as root: the real phoenix-hub (serve, rotate) and
// three real phoenix-agents, each owning a real dockerd (DockerdFixture) under its own --root,
// restarted through the fixture's restart command, all on loopback.
#include "agent/engine/server_certificate.hpp"
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/http/support/http_test_client.hpp"
#include "tests/support/dockerd_fixture.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

namespace phoenix::test {

using namespace std::chrono_literals;
using nlohmann::json;
namespace stdfs = std::filesystem;

// sha256("phoenix"): the context's directory name in the docker CLI's store.
inline constexpr const char* kContextId = "03a8f0dd8edb33781a836ac497800b5f9c5c47c2ddbfd0f89581140589725a85";

struct Vm {
  std::string name;
  std::string dir;
  std::uint16_t tls_port = 0;
  std::unique_ptr<DockerdFixture> dockerd;
  std::unique_ptr<ChildProcess> agent;
  std::string root() const { return dir + "/root"; }
  std::string home() const { return root() + "/root"; }
  std::string fail_marker() const { return dir + "/fail-next-restart"; }
};

class FleetRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PHOENIX_SKIP_WITHOUT_DOCKERD();
    api_port_ = free_port();
    agent_port_ = free_port();
    ASSERT_NE(api_port_, 0);
    ASSERT_NE(agent_port_, 0);
    const json config = {{"api", {{"listen", "127.0.0.1:" + std::to_string(api_port_)}}},
                         {"agent_endpoint",
                          {{"listen", "127.0.0.1:" + std::to_string(agent_port_)},
                           {"public_url", "wss://127.0.0.1:" + std::to_string(agent_port_)}}},
                         {"driver", "tart"},
                         {"tart", {{"path", FAKE_TART_BINARY}}},
                         {"rotation", {{"auto_setup", auto_setup_}}}};
    write_text_file(config_, config.dump(2));
    ASSERT_EQ(init_hub_state(state_, config_), 0);
    start_hub();
    for (const char* name : {"vm1", "vm2", "vm3"}) {
      Vm vm;
      vm.name = name;
      vm.dir = dir_.path() + "/" + name;
      vm.tls_port = free_port();
      stdfs::create_directories(vm.root() + "/etc/docker");
      stdfs::create_directories(vm.home());
      write_text_file(vm.root() + "/etc/docker/daemon.json", "{\"log-driver\": \"json-file\"}\n");
      DockerdOptions options;
      options.name = name;
      options.config_file = vm.root() + "/etc/docker/daemon.json";
      vm.dockerd = std::make_unique<DockerdFixture>(options);
      auto started = vm.dockerd->start();
      ASSERT_TRUE(started) << started.error().to_string();
      vms_.push_back(std::move(vm));
    }
    for (auto& vm : vms_) {
      const auto token = call("POST", "/enroll-tokens", json{{"vm", vm.name}}.dump()).json().value("token", "");
      ASSERT_FALSE(token.empty());
      ASSERT_EQ(run_program_output({PHOENIX_AGENT_BINARY, "enroll", "--token", token, "--state-dir", vm.dir + "/state"},
                                   vm.dir + "/enroll.out", vm.dir + "/enroll.err"),
                0)
          << read_text_file(vm.dir + "/enroll.err");
      run_agent(vm);
    }
    for (auto& vm : vms_) {
      ASSERT_TRUE(eventually([&] { return call("GET", "/agents/" + vm.name).json().value("connected", false); }, 20s))
          << vm.name << " did not connect";
    }
  }

  void TearDown() override {
    if (HasFailure()) {
      if (hub_) std::cerr << "--- hub log ---\n" << hub_->log();
      for (auto& vm : vms_) {
        if (vm.agent) std::cerr << "--- agent " << vm.name << " log ---\n" << vm.agent->log();
      }
    }
    for (auto& vm : vms_) vm.agent.reset();  // agents first: none may restart a dockerd being removed
    hub_.reset();
    vms_.clear();
  }

  void start_hub() {
    hub_ = std::make_unique<HubProcess>(std::vector<std::string>{"--config", config_, "--state-dir", state_}, Env{},
                                        dir_.path() + "/hub-" + std::to_string(++hub_starts_) + ".log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }

  void run_agent(Vm& vm, const Env& env = {}) {
    // The restart command fails once when the marker exists (then restarts normally, so a
    // rollback can bring the previous set back): a VM "whose restart command fails".
    const std::string restart = "/bin/sh -c 'if [ -e " + vm.fail_marker() + " ]; then rm -f " + vm.fail_marker() +
                                "; echo restart refused >&2; exit 1; fi; exec " + vm.dockerd->restart_command() + "'";
    vm.agent = std::make_unique<ChildProcess>(
        std::vector<std::string>{PHOENIX_AGENT_BINARY, "run", "--state-dir", vm.dir + "/state", "--root", vm.root(),
                                 "--users", "root", "--docker-socket", vm.dockerd->socket_path(), "--docker-listen",
                                 "tcp://127.0.0.1:" + std::to_string(vm.tls_port), "--restart-command", restart,
                                 "--backoff-start-ms", "100", "--backoff-cap-ms", "500", "--state-interval-ms", "300"},
        env, vm.dir + "/run-" + std::to_string(++agent_starts_) + ".log");
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) {
    Headers headers;
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http_call(api_port_, method, target, headers, body, 10s);
  }

  std::string start_rotation(const json& request) {
    const auto reply = call("POST", "/rotations", request.dump());
    EXPECT_EQ(reply.status, 202) << reply.body;
    return reply.json().value("id", "");
  }

  json wait_finished(const std::string& id, std::chrono::seconds timeout = 180s) {
    json rotation;
    eventually(
        [&] {
          rotation = call("GET", "/rotations/" + id).json();
          return rotation.is_object() && !rotation.value("finished_at", json()).is_null();
        },
        timeout);
    EXPECT_FALSE(rotation.value("finished_at", json()).is_null()) << rotation.dump(2);
    return rotation;
  }

  static json target(const json& rotation, const std::string& vm) {
    for (const auto& t : rotation.value("targets", json::array())) {
      if (t.value("vm", "") == vm) return t;
    }
    return json();
  }

  // The serial dockerd serves on the VM's TLS port, seen with the VM's own phoenix context.
  std::string served_serial(const Vm& vm) {
    const auto tls_dir = vm.home() + "/.docker/contexts/tls/" + kContextId + "/docker/";
    agent::engine::TlsMaterial tls{read_text_file(tls_dir + "ca.pem"), read_text_file(tls_dir + "cert.pem"),
                                   read_text_file(tls_dir + "key.pem")};
    auto cert = agent::engine::fetch_server_certificate("127.0.0.1", vm.tls_port, tls);
    return cert ? cert->serial_hex : "error: " + cert.error().to_string();
  }

  void expect_cli_works(const Vm& vm) {
    std::string cli;
    for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
      if (::access(p, X_OK) == 0) cli = p;
    }
    ASSERT_FALSE(cli.empty()) << "no docker CLI found";
    const auto out = vm.dir + "/cli.out";
    const auto err = vm.dir + "/cli.err";
    Env env{{"HOME", vm.home()}};
    EXPECT_EQ(run_program_output({cli, "version", "--format", "{{.Server.Version}}"}, out, err, env), 0)
        << vm.name << ": " << read_text_file(err);
    EXPECT_EQ(run_program_output({cli, "context", "ls"}, out, err, env), 0);
    EXPECT_NE(read_text_file(out).find("phoenix *"), std::string::npos) << read_text_file(out);
  }

  Vm& vm(const std::string& name) {
    for (auto& v : vms_) {
      if (v.name == name) return v;
    }
    throw std::runtime_error("no vm " + name);
  }

  bool auto_setup_ = false;  // the tests start their rotations themselves, but one
  TempDir dir_;
  std::string state_ = dir_.path() + "/hub-state";
  std::string config_ = dir_.path() + "/hub.json";
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  int hub_starts_ = 0;
  int agent_starts_ = 0;
  std::unique_ptr<HubProcess> hub_;
  std::vector<Vm> vms_;
};

// The docker CLI of this machine (Debian's docker.io), or "" when there is none.
inline std::string docker_cli() {
  for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

}  // namespace phoenix::test
