#include "hub/rotation/rollout_planner.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using Names = std::vector<std::string>;

RolloutTarget vm(std::string name, TargetState state = TargetState::pending, bool online = true,
                 bool manager = false) {
  return RolloutTarget{std::move(name), state, online, manager};
}

RolloutPolicy policy(int parallel, int failures = 0) {
  RolloutPolicy p;
  p.max_parallel = parallel;
  p.max_failures = failures;
  p.offline_deadline = 600s;
  return p;
}

TEST(RolloutPlanner, StartsOneAtATimeByDefaultInRolloutOrder) {
  RolloutInput in{{vm("vm1"), vm("vm2"), vm("vm3")}, 0, 0s};
  auto step = plan_rollout_step(in, RolloutPolicy{});
  EXPECT_EQ(step.start, (Names{"vm1"}));
  EXPECT_EQ(step.outcome, RolloutOutcome::in_progress);
  EXPECT_FALSE(step.finished);
}

TEST(RolloutPlanner, FillsOnlyTheFreeSlotsOfAWave) {
  RolloutInput in{{vm("vm1", TargetState::done), vm("vm2", TargetState::running), vm("vm3"),
                   vm("vm4"), vm("vm5")},
                  0, 0s};
  EXPECT_EQ(plan_rollout_step(in, policy(3)).start, (Names{"vm3", "vm4"}));
  in.targets[2].state = TargetState::running;
  in.targets[3].state = TargetState::running;
  EXPECT_TRUE(plan_rollout_step(in, policy(3)).start.empty());
}

TEST(RolloutPlanner, CompletesWhenNothingIsPendingOrRunning) {
  RolloutInput in{{vm("vm1", TargetState::done), vm("vm2", TargetState::skipped)}, 0, 0s};
  auto step = plan_rollout_step(in, policy(1));
  EXPECT_EQ(step.outcome, RolloutOutcome::completed);
  EXPECT_TRUE(step.finished);
  EXPECT_TRUE(step.start.empty());
}

TEST(RolloutPlanner, ToleratesFailuresUpToMaxFailures) {
  RolloutInput in{{vm("vm1", TargetState::failed), vm("vm2")}, 0, 0s};
  auto step = plan_rollout_step(in, policy(1, 1));
  EXPECT_EQ(step.start, (Names{"vm2"}));
  in.targets[1].state = TargetState::done;
  step = plan_rollout_step(in, policy(1, 1));
  EXPECT_EQ(step.outcome, RolloutOutcome::completed);
}

TEST(RolloutPlanner, HaltsWhenFailuresExceedMaxFailuresAndLetsRunningOnesFinish) {
  RolloutInput in{{vm("vm1", TargetState::failed), vm("vm2", TargetState::running), vm("vm3")}, 0,
                  0s};
  auto step = plan_rollout_step(in, policy(2, 0));
  EXPECT_EQ(step.outcome, RolloutOutcome::halted);
  EXPECT_TRUE(step.start.empty());
  EXPECT_FALSE(step.finished) << "vm2 is still running";
  EXPECT_NE(step.reason.find("max_failures 0"), std::string::npos) << step.reason;

  in.targets[1].state = TargetState::done;
  step = plan_rollout_step(in, policy(2, 0));
  EXPECT_EQ(step.outcome, RolloutOutcome::halted);
  EXPECT_TRUE(step.finished);
  EXPECT_TRUE(step.start.empty()) << "vm3 stays pending after a halt";
}

TEST(RolloutPlanner, OfflineVmsWaitThenAreSkippedAfterTheDeadline) {
  RolloutInput in{{vm("vm1", TargetState::pending, false), vm("vm2")}, 0, 10s};
  auto step = plan_rollout_step(in, policy(2));
  EXPECT_EQ(step.start, (Names{"vm2"}));
  EXPECT_TRUE(step.skip.empty());
  EXPECT_NE(step.reason.find("1 VM(s) wait for their agent"), std::string::npos) << step.reason;

  in.targets[1].state = TargetState::done;
  step = plan_rollout_step(in, policy(2));
  EXPECT_EQ(step.outcome, RolloutOutcome::in_progress) << "vm1 may still come back";
  EXPECT_FALSE(step.finished);

  in.age = 600s;
  step = plan_rollout_step(in, policy(2));
  EXPECT_EQ(step.skip, (Names{"vm1"}));
  EXPECT_EQ(step.outcome, RolloutOutcome::completed);
  EXPECT_TRUE(step.finished);
}

TEST(RolloutPlanner, AVmThatComesBackBeforeTheDeadlineIsRotated) {
  RolloutInput in{{vm("vm1", TargetState::pending, false), vm("vm2", TargetState::done)}, 0, 30s};
  EXPECT_TRUE(plan_rollout_step(in, policy(1)).start.empty());
  in.targets[0].online = true;
  EXPECT_EQ(plan_rollout_step(in, policy(1)).start, (Names{"vm1"}));
}

TEST(RolloutPlanner, QuorumLimitsHowManyManagersRestartTogether) {
  EXPECT_EQ(max_managers_at_once(0), 1);
  EXPECT_EQ(max_managers_at_once(1), 1);
  EXPECT_EQ(max_managers_at_once(2), 1);
  EXPECT_EQ(max_managers_at_once(3), 1);
  EXPECT_EQ(max_managers_at_once(5), 2);
  EXPECT_EQ(max_managers_at_once(7), 3);
  // Managers already down use up the tolerance.
  EXPECT_EQ(max_managers_at_once(5, 1), 1);
  EXPECT_EQ(max_managers_at_once(5, 2), 0);
  EXPECT_EQ(max_managers_at_once(3, 1), 0);
  EXPECT_EQ(max_managers_at_once(1, 0), 1);
  EXPECT_EQ(max_managers_at_once(2, 1), 0);
}

TEST(RolloutPlanner, AnOfflineManagerLeavesNoRoomForAnotherRestart) {
  RolloutInput in{{vm("m1", TargetState::pending, true, true), vm("w1")}, 3, 0s};
  in.swarm_managers_down = 1;  // m3 is powered off; m1 restarting too would lose quorum
  auto step = plan_rollout_step(in, policy(2));
  EXPECT_EQ(step.start, (Names{"w1"}));
  EXPECT_NE(step.reason.find("majority of managers"), std::string::npos) << step.reason;
}

TEST(RolloutPlanner, NeverRestartsAManagerMajorityEvenWithRoomInTheWave) {
  RolloutInput in{{vm("m1", TargetState::pending, true, true), vm("m2", TargetState::pending, true, true),
                   vm("m3", TargetState::pending, true, true), vm("w1"), vm("w2")},
                  3, 0s};
  auto step = plan_rollout_step(in, policy(5));
  EXPECT_EQ(step.start, (Names{"m1", "w1", "w2"})) << "one of three managers at a time";
  EXPECT_NE(step.reason.find("majority of managers"), std::string::npos) << step.reason;

  in.targets[0].state = TargetState::running;
  in.targets[3].state = TargetState::running;
  in.targets[4].state = TargetState::running;
  EXPECT_TRUE(plan_rollout_step(in, policy(5)).start.empty());

  in.targets[0].state = TargetState::done;
  EXPECT_EQ(plan_rollout_step(in, policy(5)).start, (Names{"m2"}));
}

TEST(RolloutPlanner, ANonPositiveParallelismStillMakesProgress) {
  RolloutInput in{{vm("vm1"), vm("vm2")}, 0, 0s};
  EXPECT_EQ(plan_rollout_step(in, policy(0)).start, (Names{"vm1"}));
}

TEST(RolloutPlanner, UnknownStoredStatesAreNeverStarted) {
  RolloutInput in{{vm("vm1", TargetState::unknown)}, 0, 0s};
  auto step = plan_rollout_step(in, policy(1));
  EXPECT_TRUE(step.start.empty());
  EXPECT_EQ(step.outcome, RolloutOutcome::completed);
}

TEST(RolloutPlanner, StateNamesRoundTripAndUnknownTextMapsToUnknown) {
  for (auto s : {TargetState::pending, TargetState::running, TargetState::done, TargetState::failed,
                 TargetState::skipped}) {
    EXPECT_EQ(parse_target_state(to_string(s)), s);
  }
  for (auto o : {RolloutOutcome::in_progress, RolloutOutcome::halted, RolloutOutcome::completed}) {
    EXPECT_EQ(parse_rollout_outcome(to_string(o)), o);
  }
  EXPECT_EQ(parse_target_state("Done"), TargetState::unknown);
  EXPECT_EQ(parse_rollout_outcome(""), RolloutOutcome::unknown);
}

}  // namespace
}  // namespace phoenix::hub
