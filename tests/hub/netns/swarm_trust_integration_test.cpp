// Swarm decisions from what the hub knows (issue 13), as root on the netns fleet: real hub, three
// real dockerds and real agents. vm3 plays the VM an attacker holds root in: its dockerd is made
// the manager of a swarm of its own (what `docker swarm init` in the VM does), so its real,
// enrolled agent reports an active manager and answers swarm_init with that swarm's real join
// tokens. No VM may join it; the hub says why. Then the configured manager's swarm is replaced
// behind the hub's back: its new tokens carry another root CA digest and no VM is sent to it.
#include "tests/hub/netns/netns_fleet_fixture.hpp"

#include <gtest/gtest.h>

namespace phoenix::test {
namespace {

class NetnsSwarmTrustTest : public NetnsDriverTest {
 protected:
  void SetUp() override {
    managers_ = json::array({"vm1"});
    auto_join_ = true;
    NetnsDriverTest::SetUp();
  }

  // The real docker CLI on a VM's dockerd socket, as root in that VM would use it.
  int docker_on(const std::string& vm, const std::vector<std::string>& args) {
    std::vector<std::string> argv{docker_cli(), "-H", "unix://" + state_ + "/netns/" + vm + "/run/docker.sock"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program_output(argv, dir_.path() + "/" + vm + ".out", dir_.path() + "/" + vm + ".err");
  }
  std::string docker_out(const std::string& vm) { return read_text_file(dir_.path() + "/" + vm + ".out"); }
  // The node count of the swarm `vm` manages, as its own dockerd lists it.
  int nodes_of_swarm_on(const std::string& vm) {
    if (docker_on(vm, {"node", "ls", "-q"}) != 0) return -1;
    const std::string out = docker_out(vm);
    return static_cast<int>(std::count(out.begin(), out.end(), '\n'));
  }
  std::string local_state(const std::string& vm) {
    if (docker_on(vm, {"info", "--format", "{{.Swarm.LocalNodeState}}"}) != 0) return "?";
    std::string out = docker_out(vm);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }
};

TEST_F(NetnsSwarmTrustTest, AVmClaimingToManageAnotherSwarmLeadsNoVmIntoIt) {
  ASSERT_FALSE(docker_cli().empty()) << "no docker CLI";
  for (const char* vm : {"vm1", "vm2", "vm3"}) ASSERT_EQ(call("POST", std::string("/vms/") + vm + "/start").status, 200);
  ASSERT_TRUE(eventually([&] { return setups_done(3); }, 120s)) << call("GET", "/rotations").body;

  // Root in vm3: a swarm of its own, on its own address. Its agent reports it at once.
  ASSERT_EQ(docker_on("vm3", {"swarm", "init", "--advertise-addr", address(2)}), 0)
      << read_text_file(dir_.path() + "/vm3.err");
  json swarm;
  ASSERT_TRUE(eventually(
      [&] {
        swarm = call("GET", "/swarm").json();
        for (const auto& vm : swarm["vms"]) {
          if (vm.value("vm", "") == "vm3") return vm.value("state", json()) == "active" && vm.value("role", json()) == "manager";
        }
        return false;
      },
      30s))
      << swarm.dump(2);

  // auto_join sees vm1 and vm2 outside any swarm and vm3 "managing" one: it joins nobody.
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(local_state("vm1"), "inactive");
  EXPECT_EQ(local_state("vm2"), "inactive");
  EXPECT_EQ(nodes_of_swarm_on("vm3"), 1);

  // The operator's sync forms the swarm on the configured manager; vm3's is left alone.
  const auto synced = call("POST", "/swarm/sync");
  ASSERT_EQ(synced.status, 200) << synced.body;
  const json result = synced.json();
  EXPECT_EQ(nodes_of_swarm_on("vm3"), 1) << "VMs joined the swarm vm3 made: " << docker_out("vm3");
  EXPECT_EQ(nodes_of_swarm_on("vm1"), 2) << docker_out("vm1");
  ASSERT_FALSE(result["results"].empty()) << result.dump(2);
  EXPECT_EQ(result["results"][0].value("vm", ""), "vm1");
  EXPECT_EQ(result["results"][0].value("action", ""), "init");
  for (const auto& r : result["results"]) {
    EXPECT_NE(r.value("vm", ""), "vm3") << result.dump(2);
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
  }

  // And the hub says why vm3 was not believed.
  const json claims = result.value("ignored_claims", json::array());
  ASSERT_EQ(claims.size(), 1u) << result.dump(2);
  EXPECT_EQ(claims[0].value("vm", ""), "vm3");
  swarm = call("GET", "/swarm").json();
  ASSERT_EQ(swarm["ignored_claims"].size(), 1u) << swarm.dump(2);
  EXPECT_NE(swarm["ignored_claims"][0].value("why", "").find("not a configured one"), std::string::npos);
  EXPECT_NE(hub_->log().find("vm3 reports itself a swarm manager but is not a configured one"), std::string::npos);
  EXPECT_NE(hub_->log().find("auto_join: the hub has not formed a swarm yet"), std::string::npos);
  ASSERT_TRUE(swarm["record"].is_object()) << swarm.dump(2);
  EXPECT_EQ(swarm["record"].value("manager", ""), "vm1");
  EXPECT_TRUE(swarm["refused"].is_null()) << swarm.dump(2);

  // The configured manager's swarm replaced behind the hub's back, and vm2 out of it: auto_join
  // asks vm1 for tokens, sees another swarm's root CA digest, and sends vm2 nowhere.
  ASSERT_EQ(docker_on("vm1", {"swarm", "leave", "--force"}), 0);
  ASSERT_EQ(docker_on("vm1", {"swarm", "init", "--advertise-addr", address(0)}), 0)
      << read_text_file(dir_.path() + "/vm1.err");
  ASSERT_EQ(docker_on("vm2", {"swarm", "leave", "--force"}), 0);
  ASSERT_TRUE(eventually([&] { return hub_->log().find("join tokens refused: vm1: ") != std::string::npos; }, 60s))
      << hub_->log();
  swarm = call("GET", "/swarm").json();
  ASSERT_TRUE(swarm["refused"].is_string()) << swarm.dump(2);
  EXPECT_NE(swarm["refused"].get<std::string>().find("another swarm"), std::string::npos) << swarm.dump(2);
  const auto refused = call("POST", "/swarm/sync").json();
  EXPECT_TRUE(refused["refused"].is_string()) << refused.dump(2);
  for (const auto& r : refused["results"]) {
    if (r.value("vm", "") == "vm2") {
      EXPECT_FALSE(r.value("ok", true)) << r.dump();
    }
  }
  EXPECT_EQ(local_state("vm2"), "inactive");
  EXPECT_EQ(nodes_of_swarm_on("vm1"), 1);
}

}  // namespace
}  // namespace phoenix::test
