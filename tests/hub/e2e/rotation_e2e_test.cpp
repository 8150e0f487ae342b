// Fleet-wide docker-tls rotation end to end (issue 6), as root: the real phoenix-hub (serve,
// rotate) and three real phoenix-agents, each owning a real dockerd (DockerdFixture) under
// its own --root, restarted through the fixture's restart command. Checks what a user would:
// every dockerd serves the serial the rotation reports, the real docker CLI works through
// each VM's `phoenix` context, a VM whose restart fails keeps its old cert and halts the
// rollout, and kills of the hub or an agent mid-rollout still end in a finished rotation.
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"
#include "tests/hub/e2e/fleet_rotation_fixture.hpp"

namespace phoenix::test {
namespace {

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

// A docker client cert signed by the hub's CA file `ca_name` (<state>/ca/<name>.pem/.key):
// "docker-operators" signs the operators' identities; the docker CAs sign server certs only.
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
  // Does `v`'s dockerd accept the real docker CLI presenting `client`, while the CLI verifies
  // dockerd's server cert with `server_ca_pem`?
  bool dockerd_accepts(const Vm& v, const ClientCert& client, const std::string& server_ca_pem) {
    const std::string dir = dir_.path() + "/client-" + v.name;
    stdfs::create_directories(dir);
    write_text_file(dir + "/ca.pem", server_ca_pem);
    write_text_file(dir + "/cert.pem", client.cert_pem);
    write_text_file(dir + "/key.pem", client.key_pem);
    return run_program_output({docker_cli(), "--tlsverify", "--tlscacert", dir + "/ca.pem", "--tlscert",
                               dir + "/cert.pem", "--tlskey", dir + "/key.pem", "-H",
                               "tcp://127.0.0.1:" + std::to_string(v.tls_port), "version", "--format",
                               "{{.Server.Version}}"},
                              dir + "/out", dir + "/err", Env{{"HOME", dir}}) == 0;
  }
  std::string ca_dir() const { return state_ + "/ca"; }
  std::string ca_pem(const std::string& name) const { return read_text_file(ca_dir() + "/" + name + ".pem"); }
};

TEST_F(DockerCaRotationTest, AfterwardsDockerdsServeTheNewCasCertsAndOperatorsStillGetIn) {
  ASSERT_EQ(wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}})).value("state", ""), "completed");
  const auto operator_client = client_cert_from(ca_dir(), "docker-operators");
  const auto old_ca = ca_pem("docker-ca");
  for (auto& v : vms_) ASSERT_TRUE(dockerd_accepts(v, operator_client, old_ca)) << v.name << ": before";

  const auto id = start_rotation({{"kind", "docker-ca"}, {"max_parallel", 2}});
  const auto rotation = wait_finished(id, 300s);
  ASSERT_EQ(rotation.value("state", ""), "completed") << rotation.dump(2);
  EXPECT_EQ(rotation["phase"].value("name", ""), "drop_old");
  const std::string new_ca = rotation["phase"].value("new_ca", "");
  ASSERT_FALSE(new_ca.empty());
  for (auto& v : vms_) {
    EXPECT_FALSE(dockerd_accepts(v, operator_client, old_ca)) << v.name << " still serves a cert of the old CA";
    EXPECT_TRUE(dockerd_accepts(v, operator_client, ca_pem(new_ca))) << v.name << " refuses the operators";
    expect_cli_works(v);  // the context was rewritten with the new CA bundle
  }
  const auto trust = json::parse(read_text_file(ca_dir() + "/docker-trust.json"));
  EXPECT_EQ(trust["signing"], new_ca);
  EXPECT_EQ(trust["trusted"], json::array({new_ca}));
  // A second docker-ca rotation may start now that the first is done.
  EXPECT_EQ(call("POST", "/rotations", json{{"kind", "docker-ca"}, {"vms", {"vm1"}}}.dump()).status, 202);
}

TEST_F(DockerCaRotationTest, ARollbackBeforeTheLastPhaseReturnsEveryVmToTheOldCa) {
  ASSERT_EQ(wait_finished(start_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}})).value("state", ""), "completed");
  const auto operator_client = client_cert_from(ca_dir(), "docker-operators");
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
    EXPECT_TRUE(dockerd_accepts(v, operator_client, ca_pem("docker-ca"))) << v.name;
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
