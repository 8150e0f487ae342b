#include "hub/swarm/swarm_plan.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

SwarmVm vm(std::string name, std::string state = "inactive", bool manager = false, bool connected = true) {
  return SwarmVm{std::move(name), connected, state == "active" ? "id-x" : "", std::move(state), manager};
}

std::vector<std::pair<SwarmAction, std::string>> steps(const SwarmPlan& plan) {
  std::vector<std::pair<SwarmAction, std::string>> out;
  for (const auto& s : plan.steps) out.emplace_back(s.action, s.vm);
  return out;
}

using Steps = std::vector<std::pair<SwarmAction, std::string>>;

TEST(SwarmPlan, AFreshFleetInitsOnTheFirstManagerThenJoinsTheRest) {
  const auto plan = plan_swarm({}, {vm("vm3"), vm("vm1"), vm("vm2")});
  EXPECT_EQ(plan.desired_managers, (std::set<std::string>{"vm1"}));
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::init, "vm1"}, {SwarmAction::join_worker, "vm2"},
                                {SwarmAction::join_worker, "vm3"}}));
}

TEST(SwarmPlan, ThreeManagersJoinAsManagersBeforeTheWorkers) {
  SwarmSettings settings;
  settings.manager_count = 3;
  const auto plan = plan_swarm(settings, {vm("a"), vm("b"), vm("c"), vm("d")});
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::init, "a"}, {SwarmAction::join_manager, "b"},
                                {SwarmAction::join_manager, "c"}, {SwarmAction::join_worker, "d"}}));
}

TEST(SwarmPlan, AFormedSwarmPlansNothing) {
  const auto plan = plan_swarm({}, {vm("vm1", "active", true), vm("vm2", "active"), vm("vm3", "active")});
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_TRUE(plan.waiting.empty());
  EXPECT_TRUE(plan.role_mismatch.empty());
}

TEST(SwarmPlan, AVmClaimingToManageIsNotBelievedTheConfiguredManagerInits) {
  // vm2 says it manages a swarm; the configuration (the first VM by name) says vm1 manages.
  // Believing vm2 would send every VM into vm2's swarm.
  const auto plan = plan_swarm({}, {vm("vm1"), vm("vm2", "active", true), vm("vm3")});
  EXPECT_EQ(plan.desired_managers, (std::set<std::string>{"vm1"}));
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::init, "vm1"}, {SwarmAction::join_worker, "vm3"}}));
  EXPECT_EQ(plan.ignored_claims, (std::vector<std::string>{"vm2"}));
}

TEST(SwarmPlan, NamedManagersOnlyAClaimantOfAnotherSwarmIsIgnored) {
  SwarmSettings settings;
  settings.manager_names = {"vm1"};
  const auto plan = plan_swarm(settings, {vm("vm1"), vm("vm2"), vm("vm3", "active", true)});
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::init, "vm1"}, {SwarmAction::join_worker, "vm2"}}));
  EXPECT_EQ(plan.ignored_claims, (std::vector<std::string>{"vm3"}));
}

TEST(SwarmPlan, ALeaverRejoinsTheConfiguredManagersSwarm) {
  const auto plan = plan_swarm({}, {vm("vm1", "active", true), vm("vm2", "active"), vm("vm3")});
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::join_worker, "vm3"}}));
}

TEST(SwarmPlan, OfflineVmsWaitAndNamedManagersAreHonoured) {
  SwarmSettings settings;
  settings.manager_names = {"vm3"};
  const auto plan = plan_swarm(settings, {vm("vm1"), vm("vm2", "inactive", false, false), vm("vm3")});
  EXPECT_EQ(steps(plan), (Steps{{SwarmAction::init, "vm3"}, {SwarmAction::join_worker, "vm1"}}));
  EXPECT_EQ(plan.waiting, (std::vector<std::string>{"vm2"}));
}

TEST(SwarmPlan, NoConnectedManagerCandidateMeansNoInitAndEveryoneWaits) {
  const auto plan = plan_swarm({}, {vm("vm1", "inactive", false, false), vm("vm2")});
  EXPECT_TRUE(plan.steps.empty()) << "a worker cannot join a swarm nobody made";
  EXPECT_EQ(plan.waiting, (std::vector<std::string>{"vm1", "vm2"}));
}

TEST(SwarmPlan, RoleMismatchesAreReportedNotForced) {
  SwarmSettings settings;
  settings.manager_names = {"vm2"};
  const auto plan = plan_swarm(settings, {vm("vm1", "active", true), vm("vm2", "active")});
  EXPECT_TRUE(plan.steps.empty());
  EXPECT_EQ(plan.role_mismatch, (std::vector<std::string>{"vm2", "vm1"}));
}

}  // namespace
}  // namespace phoenix::hub
