// The netns driver end to end, as root (issue 6): the real `phoenix-hub serve --driver netns`
// starts three VMs — each a network namespace on a bridge with a real dockerd and a real
// phoenix-agent that enrolls itself — which get docker TLS at once; a fleet-wide docker-tls
// rotation then gives every dockerd a new serial that the real docker CLI reaches through the
// VM's `phoenix` context; a docker-ca rotation leaves the old CA's clients refused and the new
// CA's accepted; stopping a VM and stopping the hub leave nothing behind.
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
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr const char* kContextId = "03a8f0dd8edb33781a836ac497800b5f9c5c47c2ddbfd0f89581140589725a85";

std::string docker_cli() {
  for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

// Processes whose command line mentions `text` (dockerd, containerd, agents of this test).
int processes_mentioning(const std::string& text) {
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
  int managers_ = 1;
  TempDir dir_;
  std::string state_ = dir_.path() + "/state";
  std::string config_ = dir_.path() + "/hub.json";
  std::string bridge_;
  std::string subnet_prefix_;
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  std::unique_ptr<HubProcess> hub_;
};

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
