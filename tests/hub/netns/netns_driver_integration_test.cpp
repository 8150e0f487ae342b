// The netns driver end to end, as root (issue 6): the real `phoenix-hub serve --driver netns`
// starts three VMs — each a network namespace on a bridge with a real dockerd and a real
// phoenix-agent that enrolls itself — which get docker TLS at once; a fleet-wide docker-tls
// rotation then gives every dockerd a new serial that the real docker CLI reaches through the
// VM's `phoenix` context; a docker-ca rotation leaves the old CA's clients refused and the new
// CA's accepted; stopping a VM and stopping the hub leave nothing behind.
#include "tests/hub/netns/netns_fleet_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace stdfs = std::filesystem;


TEST_F(NetnsDriverTest, ThreeVmsEnrollGetDockerTlsRotateAndLeaveNothingBehind) {
  ASSERT_FALSE(docker_cli().empty()) << "no docker CLI";
  const std::vector<std::string> vms{"vm1", "vm2", "vm3"};
  for (const auto& vm : vms) {
    const auto started = call("POST", "/vms/" + vm + "/start");
    ASSERT_EQ(started.status, 200) << started.body;
    EXPECT_EQ(started.json().value("state", ""), "running");
  }
  EXPECT_EQ(call("POST", "/vms/vm1/start").status, 409);
  EXPECT_EQ(call("GET", "/vms/vm2/ip").json().value("ip", ""), address(1));

  // Each enrolled agent found a dockerd without Phoenix TLS: the hub set it up at once.
  ASSERT_TRUE(eventually(
      [&] {
        const auto list = call("GET", "/vms").json();
        if (!list.is_array() || list.size() != 3) return false;
        for (const auto& vm : list) {
          const auto& agent = vm["agent"];
          if (!agent.is_object() || !agent.value("connected", false)) return false;
          if (!agent["certs"].is_object() || !agent["certs"]["docker_server"].is_object()) return false;
        }
        return true;
      },
      90s))
      << call("GET", "/vms").body;

  const auto rotation = call("POST", "/rotations", json{{"kind", "docker-tls"}, {"max_parallel", 2}}.dump());
  ASSERT_EQ(rotation.status, 202) << rotation.body;
  const std::string id = rotation.json().value("id", "");
  json done;
  ASSERT_TRUE(eventually(
      [&] {
        done = call("GET", "/rotations/" + id).json();
        return !done.value("finished_at", json()).is_null();
      },
      120s))
      << done.dump(2);
  EXPECT_EQ(done.value("state", ""), "completed") << done.dump(2);
  for (int i = 0; i < 3; ++i) {
    json target;
    for (const auto& t : done["targets"]) {
      if (t.value("vm", "") == vms[i]) target = t;
    }
    ASSERT_EQ(target.value("state", ""), "done") << target.dump();
    ASSERT_TRUE(target["old_serial"].is_string()) << "the first set was made at enrollment";
    EXPECT_NE(target["old_serial"], target["new_serial"]);
    EXPECT_EQ(served_serial(vms[i], i), target["new_serial"].get<std::string>()) << vms[i];
    EXPECT_EQ(docker_in_vm(vms[i], {"version", "--format", "{{.Server.Version}}"}), 0)
        << vms[i] << ": " << read_text_file(dir_.path() + "/cli.err");
    EXPECT_EQ(docker_in_vm(vms[i], {"context", "ls"}), 0);
    EXPECT_NE(read_text_file(dir_.path() + "/cli.out").find("phoenix *"), std::string::npos);
  }

  // Docker trust per VM, from the host over the bridge with the real CLI: a client cert taken
  // from vm1's context opens vm1's dockerd only; the operators' identity the hub keeps opens
  // every one; a client cert of the docker CA itself (the old shared model) opens none.
  const Client vm1_context{home("vm1") + "/.docker/contexts/tls/" + kContextId + "/docker"};
  EXPECT_TRUE(accepts("vm1", 0, vm1_context)) << read_text_file(dir_.path() + "/accepts.err");
  EXPECT_FALSE(accepts("vm2", 1, vm1_context)) << "vm2's dockerd accepted vm1's client cert";
  EXPECT_FALSE(accepts("vm3", 2, vm1_context)) << "vm3's dockerd accepted vm1's client cert";
  const Client operators{state_ + "/operator/current"};
  const auto docker_client = client_of("docker-ca");
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(accepts(vms[i], i, operators)) << vms[i] << ": " << read_text_file(dir_.path() + "/accepts.err");
    EXPECT_FALSE(accepts(vms[i], i, docker_client)) << vms[i] << " accepts any client of the docker CA";
  }

  // docker-ca across the netns fleet: afterwards every dockerd serves a cert of the new CA (a
  // client verifying with the old CA alone is refused) and the operators still get in.
  const auto operator_client = client_of("docker-operators");
  const auto old_ca = state_ + "/ca/docker-ca.pem";
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(accepts(vms[i], i, operator_client, old_ca)) << vms[i];
  const auto ca_rotation = call("POST", "/rotations", json{{"kind", "docker-ca"}, {"max_parallel", 3}}.dump());
  ASSERT_EQ(ca_rotation.status, 202) << ca_rotation.body;
  const std::string ca_id = ca_rotation.json().value("id", "");
  ASSERT_TRUE(eventually(
      [&] {
        done = call("GET", "/rotations/" + ca_id).json();
        return !done.value("finished_at", json()).is_null();
      },
      180s))
      << done.dump(2);
  ASSERT_EQ(done.value("state", ""), "completed") << done.dump(2);
  const auto new_ca = state_ + "/ca/" + done["phase"].value("new_ca", "") + ".pem";
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(accepts(vms[i], i, operator_client, old_ca)) << vms[i] << " still serves a cert of the old CA";
    EXPECT_TRUE(accepts(vms[i], i, operator_client, new_ca)) << vms[i] << " refuses the operators";
  }

  // /metrics after the scenario: every family with real values.
  const auto metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("phoenix_agents_connected 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("phoenix_agents_enrolled 3\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("phoenix_rotations{kind=\"docker-tls\",state=\"completed\"} 4\n"), std::string::npos)
      << "three at enrollment, one fleet-wide:\n" << metrics;
  EXPECT_NE(metrics.find("phoenix_rotations{kind=\"docker-ca\",state=\"completed\"} 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("phoenix_cert_expiry_days{vm=\"vm1\",cert=\"docker_server\"} 89."), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("phoenix_cert_expiry_days{vm=\"vm3\",cert=\"identity\"} 6."), std::string::npos);
  EXPECT_NE(metrics.find("phoenix_http_requests_total{method=\"POST\",route=\"/rotations\",status=\"202\"} 2\n"),
            std::string::npos);

  const auto stopped = call("POST", "/vms/vm2/stop");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json().value("state", ""), "stopped");
  EXPECT_FALSE(stdfs::exists("/var/run/netns/" + bridge_ + "-vm2"));
  EXPECT_EQ(call("POST", "/vms/vm2/stop").status, 409);
  EXPECT_EQ(call("GET", "/vms/vm2/ip").status, 409);

  EXPECT_EQ(hub_->terminate(SIGTERM, 60s), 0) << hub_->log();
  for (const auto& vm : vms) EXPECT_FALSE(stdfs::exists("/var/run/netns/" + bridge_ + "-" + vm)) << vm;
  EXPECT_FALSE(stdfs::exists("/sys/class/net/" + bridge_)) << "the bridge outlived the hub";
  EXPECT_EQ(processes_mentioning(state_ + "/netns/"), 0) << "a dockerd, containerd or agent outlived the hub";
}

bool all_nodes_ready(const json& swarm) {
  if (!swarm["nodes"].is_array() || swarm["nodes"].size() != 3) return false;
  for (const auto& node : swarm["nodes"]) {
    if (node.value("state", "") != "ready") return false;
  }
  return true;
}

TEST_F(NetnsDriverTest, SyncFormsOneSwarmIsANoOpTwiceRejoinsALeaverAndSurvivesARotation) {
  ASSERT_FALSE(docker_cli().empty()) << "no docker CLI";
  for (const char* vm : {"vm1", "vm2", "vm3"}) ASSERT_EQ(call("POST", std::string("/vms/") + vm + "/start").status, 200);
  ASSERT_TRUE(eventually(
      [&] {
        // Connected, and the docker TLS setup the hub starts at enrollment is over (its
        // dockerd restart with it).
        for (const char* vm : {"vm1", "vm2", "vm3"}) {
          if (!call("GET", std::string("/agents/") + vm).json().value("connected", false)) return false;
        }
        const auto rotations = call("GET", "/rotations").json();
        if (!rotations.is_array() || rotations.size() != 3) return false;
        for (const auto& r : rotations) {
          if (r.value("state", "") != "completed") return false;
        }
        return true;
      },
      90s));

  const auto first = call("POST", "/swarm/sync");
  ASSERT_EQ(first.status, 200) << first.body;
  const auto results = first.json()["results"];
  ASSERT_EQ(results.size(), 3u) << first.body;
  EXPECT_EQ(results[0].value("vm", ""), "vm1");
  EXPECT_EQ(results[0].value("action", ""), "init");
  for (const auto& r : results) EXPECT_TRUE(r.value("ok", false) && r.value("changed", false)) << r.dump();

  json swarm;
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        return swarm["drift"].empty() && all_nodes_ready(swarm);
      },
      60s))
      << swarm.dump(2);
  EXPECT_EQ(swarm["leader"], "vm1");
  EXPECT_EQ(swarm["managers_desired"], json::array({"vm1"}));

  // Twice is a no-op.
  const auto second = call("POST", "/swarm/sync").json();
  for (const auto& r : second["results"]) EXPECT_FALSE(r.value("changed", true)) << second.dump();

  // A worker forced out is back after the next sync.
  const std::string vm3_socket = "unix://" + state_ + "/netns/vm3/run/docker.sock";
  ASSERT_EQ(run_program_output({docker_cli(), "-H", vm3_socket, "swarm", "leave", "--force"}, dir_.path() + "/leave.out",
                               dir_.path() + "/leave.err"),
            0)
      << read_text_file(dir_.path() + "/leave.err");
  ASSERT_TRUE(eventually([&] { return call("GET", "/swarm").json()["drift"] == json::array({"vm3"}); }, 30s))
      << call("GET", "/swarm").body;
  const auto third = call("POST", "/swarm/sync").json();
  bool rejoined = false;
  for (const auto& r : third["results"]) {
    if (r.value("vm", "") == "vm3") rejoined = r.value("ok", false) && r.value("changed", false);
  }
  EXPECT_TRUE(rejoined) << third.dump(2);
  // The node vm3 left behind is gone once vm3 is back under a new node id.
  ASSERT_TRUE(eventually(
      [&] {
        call("POST", "/swarm/sync");
        return call("GET", "/swarm").json()["nodes"].size() == 3;
      },
      30s))
      << call("GET", "/swarm").body;
  ASSERT_TRUE(eventually([&] { return call("GET", "/swarm").json()["drift"].empty(); }, 30s)) << call("GET", "/swarm").body;

  // A docker-tls rotation of the whole swarm: the swarm is whole and led afterwards.
  const json done = run_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}});
  EXPECT_EQ(done.value("state", ""), "completed") << done.dump(2);
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        std::set<std::string> ids;
        for (const auto& node : swarm["nodes"]) ids.insert(node.value("id", ""));
        return swarm["drift"].empty() && swarm["leader"] == "vm1" && ids.size() >= 3 &&
               std::count_if(swarm["nodes"].begin(), swarm["nodes"].end(),
                             [](const json& n) { return n.value("state", "") == "ready"; }) == 3;
      },
      120s))
      << swarm.dump(2);

  // vm3 removed from the fleet (revoked): the answer comes at once, without waiting on vm3 or
  // the swarm, its channel is closed, and then a manager removes its node.
  const auto revoke_started = std::chrono::steady_clock::now();
  ASSERT_EQ(call("POST", "/agents/vm3/revoke").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - revoke_started, 1s);
  EXPECT_TRUE(eventually([&] { return !call("GET", "/agents/vm3").json().value("connected", true); }, 1s));
  ASSERT_TRUE(eventually([&] { return call("GET", "/swarm").json()["nodes"].size() == 2; }, 60s))
      << call("GET", "/swarm").body;
}

class NetnsAutoJoinTest : public NetnsDriverTest {
 protected:
  void SetUp() override {
    auto_join_ = true;
    NetnsDriverTest::SetUp();
  }
};

TEST_F(NetnsAutoJoinTest, AVmStartedAfterTheSwarmJoinsItByItself) {
  for (const char* vm : {"vm1", "vm2"}) ASSERT_EQ(call("POST", std::string("/vms/") + vm + "/start").status, 200);
  ASSERT_TRUE(eventually([&] { return setups_done(2); }, 90s));
  ASSERT_EQ(call("POST", "/swarm/sync").status, 200);
  ASSERT_TRUE(eventually([&] { return call("GET", "/swarm").json()["nodes"].size() == 2; }, 60s));

  // No sync asked for: vm3 joins once its agent reports it is outside the swarm.
  ASSERT_EQ(call("POST", "/vms/vm3/start").status, 200);
  json swarm;
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        return swarm["drift"].empty() && swarm["nodes"].size() == 3;
      },
      90s))
      << swarm.dump(2);
  EXPECT_NE(hub_->log().find("vm3 is outside the swarm: joining it (auto_join)"), std::string::npos);
}

class NetnsThreeManagersTest : public NetnsDriverTest {
 protected:
  void SetUp() override {
    managers_ = 3;
    NetnsDriverTest::SetUp();
  }
};

TEST_F(NetnsThreeManagersTest, ARotationRestartsOneManagerAtATimeAndTheSwarmStaysLed) {
  for (const char* vm : {"vm1", "vm2", "vm3"}) ASSERT_EQ(call("POST", std::string("/vms/") + vm + "/start").status, 200);
  ASSERT_TRUE(eventually([&] { return setups_done(3); }, 90s));
  ASSERT_EQ(call("POST", "/swarm/sync").status, 200);
  json swarm;
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        return swarm["drift"].empty() && all_nodes_ready(swarm);
      },
      90s))
      << swarm.dump(2);
  for (const auto& node : swarm["nodes"]) EXPECT_EQ(node.value("role", ""), "manager");

  // max_parallel 3, but three managers tolerate one down: the planner restarts them one by one.
  const json done = run_rotation({{"kind", "docker-tls"}, {"max_parallel", 3}});
  ASSERT_EQ(done.value("state", ""), "completed") << done.dump(2);
  std::vector<std::pair<std::string, std::string>> spans;  // ISO-8601 UTC sorts as text
  for (const auto& t : done["targets"]) spans.emplace_back(t.value("started_at", ""), t.value("finished_at", ""));
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i) {
    EXPECT_GE(spans[i].first, spans[i - 1].second) << "two managers were restarting at the same time";
  }
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        return swarm["drift"].empty() && all_nodes_ready(swarm) && !swarm["leader"].is_null();
      },
      120s))
      << swarm.dump(2);
}

}  // namespace
}  // namespace phoenix::test
