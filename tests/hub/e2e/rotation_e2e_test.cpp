// Fleet-wide docker-tls rotation end to end (issue 6), as root: the real phoenix-hub (serve,
// rotate) and three real phoenix-agents, each owning a real dockerd (DockerdFixture) under
// its own --root, restarted through the fixture's restart command. Checks what a user would:
// every dockerd serves the serial the rotation reports, the real docker CLI works through
// each VM's `phoenix` context, a VM whose restart fails keeps its old cert and halts the
// rollout, and kills of the hub or an agent mid-rollout still end in a finished rotation.
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
#include <functional>
#include <thread>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace stdfs = std::filesystem;

// sha256("phoenix"): the context's directory name in the docker CLI's store.
constexpr const char* kContextId = "03a8f0dd8edb33781a836ac497800b5f9c5c47c2ddbfd0f89581140589725a85";

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

TEST_F(FleetRotationTest, EveryDockerdServesTheNewSerialAndTheCliWorksThroughEachContext) {
  const auto first = wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 2}}));
  EXPECT_EQ(first.value("state", ""), "completed") << first.dump(2);
  for (auto& v : vms_) {
    const auto t = target(first, v.name);
    ASSERT_EQ(t.value("state", ""), "done") << t.dump();
    ASSERT_TRUE(t["new_serial"].is_string()) << t.dump();
    EXPECT_EQ(served_serial(v), t["new_serial"].get<std::string>()) << v.name;
    expect_cli_works(v);
  }
  // Rotating again replaces every serial; the report names the one it replaced.
  const auto second = wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}}));
  EXPECT_EQ(second.value("state", ""), "completed") << second.dump(2);
  for (auto& v : vms_) {
    const auto before = target(first, v.name);
    const auto after = target(second, v.name);
    ASSERT_EQ(after.value("state", ""), "done") << after.dump();
    EXPECT_EQ(after["old_serial"], before["new_serial"]) << v.name;
    EXPECT_NE(after["new_serial"], before["new_serial"]) << v.name;
    EXPECT_EQ(served_serial(v), after["new_serial"].get<std::string>()) << v.name;
    expect_cli_works(v);
  }
  EXPECT_EQ(call("GET", "/rotations").json().size(), 2u);
  // The agents report the new serial in their state, and GET /vms shows it.
  EXPECT_TRUE(eventually(
      [&] {
        const auto agent = call("GET", "/agents/vm1").json();
        return agent["state"]["certs"]["docker_server"].is_object() &&
               agent["state"]["certs"]["docker_server"].value("serial", "") ==
                   target(second, "vm1")["new_serial"].get<std::string>();
      },
      10s))
      << call("GET", "/agents/vm1").json().dump(2);
}

TEST_F(FleetRotationTest, AFailedRestartKeepsThatVmsCertAndHaltsTheRolloutAtMaxFailures) {
  const auto first = wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}}));
  ASSERT_EQ(first.value("state", ""), "completed") << first.dump(2);
  const std::string vm2_serial = target(first, "vm2")["new_serial"].get<std::string>();
  write_text_file(vm("vm2").fail_marker(), "");
  const auto halted = wait_finished(start_rotation(
      {{"kind", "docker-tls"}, {"vms", {"vm2", "vm1", "vm3"}}, {"max_parallel", 1}, {"max_failures", 0}}));
  EXPECT_EQ(halted.value("state", ""), "halted") << halted.dump(2);
  EXPECT_NE(halted.value("reason", "").find("max_failures 0"), std::string::npos) << halted.dump(2);
  const auto failed = target(halted, "vm2");
  EXPECT_EQ(failed.value("state", ""), "failed") << failed.dump();
  EXPECT_NE(failed.value("error", "").find("restart"), std::string::npos) << failed.dump();
  EXPECT_NE(failed.value("error", "").find("rolled back"), std::string::npos) << failed.dump();
  EXPECT_EQ(target(halted, "vm1").value("state", ""), "pending");
  EXPECT_EQ(target(halted, "vm3").value("state", ""), "pending");
  EXPECT_EQ(served_serial(vm("vm2")), vm2_serial) << "vm2 must still serve its previous cert";
  expect_cli_works(vm("vm2"));
  EXPECT_EQ(served_serial(vm("vm1")), target(first, "vm1")["new_serial"].get<std::string>());
}

TEST_F(FleetRotationTest, AHubKilledMidRolloutFinishesItAfterARestart) {
  const auto id = start_rotation({{"kind", "docker-tls"}, {"max_parallel", 1}});
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = call("GET", "/rotations/" + id).json();
        return r.is_object() && r["counts"].value("running", 0) + r["counts"].value("done", 0) > 0;
      },
      60s));
  hub_->terminate(SIGKILL);
  start_hub();
  const auto rotation = wait_finished(id);
  EXPECT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  for (auto& v : vms_) {
    const auto t = target(rotation, v.name);
    ASSERT_EQ(t.value("state", ""), "done") << t.dump();
    EXPECT_EQ(served_serial(v), t["new_serial"].get<std::string>()) << v.name;
  }
  EXPECT_NE(hub_->log().find("resuming rotation " + id), std::string::npos) << hub_->log();
}

TEST_F(FleetRotationTest, AnAgentKilledMidApplyConvergesAndItsVmIsRotated) {
  Vm& vm1 = vm("vm1");
  vm1.agent.reset();
  run_agent(vm1, Env{{"PHOENIX_FAILPOINT", "restarted"}});
  ASSERT_TRUE(eventually([&] { return call("GET", "/agents/vm1").json().value("connected", false); }, 20s));
  const auto id = start_rotation({{"kind", "docker-tls"}, {"vms", {"vm1"}}});
  EXPECT_EQ(vm1.agent->wait_exit(120s), 137) << "the agent was to die right after restarting dockerd";
  run_agent(vm1);  // converges the journal at start, then answers the hub's retry
  const auto rotation = wait_finished(id);
  EXPECT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  const auto t = target(rotation, "vm1");
  ASSERT_EQ(t.value("state", ""), "done") << t.dump();
  EXPECT_EQ(served_serial(vm1), t["new_serial"].get<std::string>());
  expect_cli_works(vm1);
  EXPECT_NE(vm1.agent->log().find("converged the unfinished docker apply"), std::string::npos) << vm1.agent->log();
}

// A docker client cert signed by the hub's CA file `ca_name` (<state>/ca/<name>.pem/.key),
// as an operator's CLI with certs from that CA would present.
struct ClientCert {
  std::string cert_pem, key_pem;
};
ClientCert client_cert_from(const std::string& ca_dir, const std::string& ca_name) {
  auto ca = pki::CertificateAuthority::load(read_text_file(ca_dir + "/" + ca_name + ".pem"),
                                            read_text_file(ca_dir + "/" + ca_name + ".key"))
                .value();
  auto key = pki::PrivateKey::generate_p256().value();
  auto csr = pki::CertificateRequest::create(key, "operator", {}, {}).value();
  pki::SigningPolicy policy;
  policy.common_name = "operator";
  policy.usage = pki::Usage::client_auth;
  policy.lifetime = std::chrono::hours(1);
  return {ca.sign(csr, policy).value().to_pem(), key.to_pem()};
}

class DockerCaRotationTest : public FleetRotationTest {
 protected:
  // Does `v`'s dockerd accept the real docker CLI presenting `client` (the server verified
  // with the VM's own context CA bundle)?
  bool dockerd_accepts(const Vm& v, const ClientCert& client) {
    const auto tls_dir = v.home() + "/.docker/contexts/tls/" + std::string(kContextId) + "/docker/";
    const std::string dir = dir_.path() + "/client-" + v.name;
    stdfs::create_directories(dir);
    write_text_file(dir + "/ca.pem", read_text_file(tls_dir + "ca.pem"));
    write_text_file(dir + "/cert.pem", client.cert_pem);
    write_text_file(dir + "/key.pem", client.key_pem);
    std::string cli;
    for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
      if (::access(p, X_OK) == 0) cli = p;
    }
    return run_program_output({cli, "--tlsverify", "--tlscacert", dir + "/ca.pem", "--tlscert", dir + "/cert.pem",
                               "--tlskey", dir + "/key.pem", "-H", "tcp://127.0.0.1:" + std::to_string(v.tls_port),
                               "version", "--format", "{{.Server.Version}}"},
                              dir + "/out", dir + "/err", Env{{"HOME", dir}}) == 0;
  }
  std::string ca_dir() const { return state_ + "/ca"; }
};

TEST_F(DockerCaRotationTest, AfterwardsTheOldCasClientsAreRefusedAndTheNewCasAccepted) {
  ASSERT_EQ(wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}})).value("state", ""), "completed");
  const auto old_client = client_cert_from(ca_dir(), "docker-ca");
  for (auto& v : vms_) ASSERT_TRUE(dockerd_accepts(v, old_client)) << v.name << ": the old CA's client works before";

  const auto id = start_rotation({{"kind", "docker-ca"}, {"max_parallel", 2}});
  const auto rotation = wait_finished(id, 300s);
  ASSERT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  EXPECT_EQ(rotation["phase"].value("name", ""), "drop_old");
  const std::string new_ca = rotation["phase"].value("new_ca", "");
  ASSERT_FALSE(new_ca.empty());
  const auto new_client = client_cert_from(ca_dir(), new_ca);
  for (auto& v : vms_) {
    EXPECT_FALSE(dockerd_accepts(v, old_client)) << v.name << " still accepts a client of the old CA";
    EXPECT_TRUE(dockerd_accepts(v, new_client)) << v.name << " refuses a client of the new CA";
    expect_cli_works(v);  // the context was rewritten with the new CA's client cert
  }
  const auto trust = json::parse(read_text_file(ca_dir() + "/docker-trust.json"));
  EXPECT_EQ(trust["signing"], new_ca);
  EXPECT_EQ(trust["trusted"], json::array({new_ca}));
  // A second docker-ca rotation may start now that the first is done.
  EXPECT_EQ(call("POST", "/rotations", json{{"kind", "docker-ca"}, {"vms", {"vm1"}}}.dump()).status, 202);
}

TEST_F(DockerCaRotationTest, ARollbackBeforeTheLastPhaseReturnsEveryVmToTheOldCa) {
  ASSERT_EQ(wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}})).value("state", ""), "completed");
  const auto old_client = client_cert_from(ca_dir(), "docker-ca");
  // vm2's restart fails in phase 1: the rollout halts there, with every VM still trusting
  // the old CA, and the operator rolls back.
  write_text_file(vm("vm2").fail_marker(), "");
  const auto id = start_rotation({{"kind", "docker-ca"}, {"vms", {"vm1", "vm2", "vm3"}}, {"max_parallel", 1}});
  const auto halted = wait_finished(id, 300s);
  ASSERT_EQ(halted.value("state", ""), "halted") << halted.dump(2);
  EXPECT_TRUE(halted["phase"].value("can_roll_back", false)) << halted.dump(2);
  EXPECT_EQ(call("POST", "/rotations", json{{"kind", "docker-ca"}}.dump()).status, 409)
      << "one docker-ca rotation at a time";
  const auto rollback = call("POST", "/rotations/" + id + "/rollback");
  ASSERT_EQ(rollback.status, 202) << rollback.body;
  const auto back = wait_finished(id, 300s);
  ASSERT_EQ(back.value("state", ""), "completed") << back.dump(2);
  EXPECT_EQ(back["phase"].value("plan", ""), "rollback");
  EXPECT_EQ(back["phase"].value("name", ""), "drop_new");
  const auto trust = json::parse(read_text_file(ca_dir() + "/docker-trust.json"));
  EXPECT_EQ(trust["signing"], "docker-ca");
  EXPECT_EQ(trust["trusted"], json::array({"docker-ca"}));
  for (auto& v : vms_) {
    EXPECT_TRUE(dockerd_accepts(v, old_client)) << v.name;
    expect_cli_works(v);
  }
  EXPECT_EQ(call("POST", "/rotations/" + id + "/rollback").status, 409) << "a finished rollback cannot roll back";
}

TEST_F(FleetRotationTest, AnIdentityRotationRenewsEveryAgentsIdentity) {
  std::map<std::string, std::string> before;
  for (auto& v : vms_) before[v.name] = call("GET", "/agents/" + v.name).json().value("cert_serial", "");
  const auto rotation = wait_finished(start_rotation({{"kind", "identity"}, {"max_parallel", 3}}));
  ASSERT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  for (auto& v : vms_) {
    const auto t = target(rotation, v.name);
    ASSERT_EQ(t.value("state", ""), "done") << t.dump();
    EXPECT_EQ(t["old_serial"], before[v.name]);
    EXPECT_NE(t["new_serial"], before[v.name]);
    const auto agent = call("GET", "/agents/" + v.name).json();
    EXPECT_TRUE(agent.value("connected", false));
    EXPECT_EQ(agent["cert_serial"], t["new_serial"]) << "the agent is connected with its new identity";
  }
}

class AutoSetupTest : public FleetRotationTest {
 protected:
  void SetUp() override {
    auto_setup_ = true;
    FleetRotationTest::SetUp();
  }
};

TEST_F(AutoSetupTest, ANewlyEnrolledVmGetsDockerTlsAtOnceByARotation) {
  // No rotation was asked for: each agent's hello (dockerd reachable, no Phoenix TLS) starts one.
  json rotations;
  ASSERT_TRUE(eventually(
      [&] {
        rotations = call("GET", "/rotations").json();
        if (!rotations.is_array() || rotations.size() != vms_.size()) return false;
        for (const auto& r : rotations) {
          if (r.value("state", "") != "completed") return false;
        }
        return true;
      },
      120s))
      << rotations.dump(2);
  for (auto& v : vms_) {
    std::string serial;
    for (const auto& r : rotations) {
      const auto t = target(r, v.name);
      if (t.is_object()) serial = t.value("new_serial", json("")).get<std::string>();
    }
    ASSERT_FALSE(serial.empty()) << v.name << " has no rotation: " << rotations.dump(2);
    EXPECT_EQ(served_serial(v), serial) << v.name;
    expect_cli_works(v);
  }
  // Once set up, reconnects and new states start nothing more.
  hub_->terminate(SIGTERM);
  start_hub();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(call("GET", "/rotations").json().size(), vms_.size());
}

}  // namespace
}  // namespace phoenix::test
