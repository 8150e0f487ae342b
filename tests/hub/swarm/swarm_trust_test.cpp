#include "hub/swarm/swarm_trust.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

const std::string kDigestA = "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl";
const std::string kDigestB = "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
std::string token(const std::string& digest, const std::string& secret = "1awxwuwd3z9j1z3puu7rcgdbx") {
  return "SWMTKN-1-" + digest + "-" + secret;
}

SwarmVm vm(std::string name, std::string state, bool manager, std::string address = "") {
  return SwarmVm{std::move(name), true, state == "active" ? "id-" + std::to_string(address.size()) : "",
                 std::move(state), manager, std::move(address)};
}

TEST(SwarmTrust, TokensOfTheRecordedSwarmPass) {
  const auto verdict = check_join_tokens(token(kDigestA), token(kDigestA, "2bwxwuwd3z9j1z3puu7rcgdbx"), kDigestA);
  EXPECT_TRUE(verdict.ok) << verdict.why;
  EXPECT_EQ(verdict.ca_digest, kDigestA);
}

TEST(SwarmTrust, BeforeAnythingIsRecordedTheTokensGiveTheDigestToRecord) {
  const auto verdict = check_join_tokens(token(kDigestB), token(kDigestB), "");
  EXPECT_TRUE(verdict.ok);
  EXPECT_EQ(verdict.ca_digest, kDigestB);
}

TEST(SwarmTrust, TokensOfAnotherSwarmAreRefusedAndSayWhy) {
  const auto verdict = check_join_tokens(token(kDigestB), token(kDigestB), kDigestA);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.ca_digest, kDigestB);
  EXPECT_NE(verdict.why.find("another swarm"), std::string::npos) << verdict.why;
}

TEST(SwarmTrust, MixedOrMalformedTokensAreRefused) {
  EXPECT_FALSE(check_join_tokens(token(kDigestA), token(kDigestB), "").ok);
  EXPECT_FALSE(check_join_tokens("", token(kDigestA), "").ok);
  EXPECT_FALSE(check_join_tokens(token(kDigestA), "SWMTKN-1-x-y", kDigestA).ok);
}

TEST(SwarmTrust, TheJoinAddressIsTheSeenIpOnTheSwarmPort) {
  EXPECT_EQ(swarm_join_address("10.77.0.11"), "10.77.0.11:2377");
  EXPECT_EQ(swarm_join_address("fd00::b"), "[fd00::b]:2377");
  EXPECT_EQ(swarm_join_address(""), "");
}

TEST(SwarmTrust, OnlyAConfiguredManagerIsAskedEvenWhenAnotherVmClaimsToManage) {
  const std::vector<SwarmVm> vms{vm("vm1", "active", true), vm("vm3", "active", true)};
  EXPECT_EQ(trusted_manager({"vm3"}, vms), std::optional<std::string>("vm3"));
  EXPECT_EQ(trusted_manager({"vm2"}, vms), std::nullopt) << "vm1 and vm3 only say so";
  EXPECT_EQ(ignored_manager_claims({"vm3"}, vms), (std::vector<std::string>{"vm1"}));
}

TEST(SwarmTrust, ARevokedVmsNodeIsFoundByTheAddressTheHubSaw) {
  const std::vector<SwarmNodeFact> nodes{{"m1", "10.0.0.10", "manager"},
                                         {"w2", "10.0.0.11", "worker"},
                                         {"w3", "10.0.0.12", "worker"},
                                         {"w3old", "10.0.0.12", "worker"}};
  // Whatever node id vm3 reported (say, the manager's), the nodes at its address are the ones.
  EXPECT_EQ(nodes_of_vm(nodes, "10.0.0.12", {"10.0.0.10", "10.0.0.11"}, "m1").node_ids,
            (std::vector<std::string>{"w3", "w3old"}));
  EXPECT_TRUE(nodes_of_vm(nodes, "10.0.0.10", {"10.0.0.11"}, "m1").node_ids.empty()) << "never the answering node";
  const auto unseen = nodes_of_vm(nodes, "", {}, "m1");
  EXPECT_TRUE(unseen.node_ids.empty());
  EXPECT_NE(unseen.why.find("by hand"), std::string::npos);
  const auto reused = nodes_of_vm(nodes, "10.0.0.11", {"10.0.0.11"}, "m1");
  EXPECT_TRUE(reused.node_ids.empty()) << "an address two VMs had is not proof";
}

TEST(SwarmTrust, AutoJoinOnlyJoinsIntoTheRecordedSwarmOfAConfiguredManager) {
  SwarmSettings named;
  named.manager_names = {"vm1"};
  const std::vector<SwarmVm> formed{vm("vm1", "active", true), vm("vm3", "inactive", false)};
  EXPECT_TRUE(decide_auto_join(named, formed, "vm3", true).join);
  const auto unrecorded = decide_auto_join(named, formed, "vm3", false);
  EXPECT_FALSE(unrecorded.join);
  EXPECT_NE(unrecorded.why.find("POST /swarm/sync"), std::string::npos);
  // A VM claiming to manage a swarm is no reason to join anything.
  const std::vector<SwarmVm> claimed{vm("vm1", "inactive", false), vm("vm2", "active", true),
                                     vm("vm3", "inactive", false)};
  EXPECT_FALSE(decide_auto_join(named, claimed, "vm3", true).join);
  SwarmSettings absent;
  absent.manager_names = {"vm9"};
  const auto none = decide_auto_join(absent, formed, "vm3", true);
  EXPECT_FALSE(none.join);
  EXPECT_NE(none.why.find("swarm.managers"), std::string::npos);
  EXPECT_FALSE(decide_auto_join(named, formed, "vm1", true).join) << "already in the swarm";
}

}  // namespace
}  // namespace phoenix::hub
