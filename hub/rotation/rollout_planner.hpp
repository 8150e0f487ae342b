#pragma once
// The decision core of a fleet-wide rotation (issue 6): given where every target VM stands,
// which agents are online and the rollout's policy, say what to do next. Pure: no clock, no
// store, no network; the rollout driver asks it after every event (a VM finished, an agent
// came or went, a timer fired) and performs what it answers.
//
// Rules, after rotation.md (bounded batches with a health gate, stop on failures):
//  - at most `max_parallel` targets run at once;
//  - the rollout halts (starts nothing more) once failures exceed `max_failures`; targets
//    already running are left to finish and be recorded;
//  - a pending target whose agent is offline waits; once the rollout is older than
//    `offline_deadline` it is skipped instead;
//  - never more than a minority of the swarm's managers restart at once, so the swarm keeps
//    its raft quorum. With one or two managers no restart keeps quorum, so one at a time is
//    the best there is (a single manager's swarm recovers when it is back).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::hub {

enum class TargetState {
  unknown,  // first: unknown stored text maps here and is treated as not runnable
  pending,
  running,
  done,
  failed,
  skipped,
};
std::string_view to_string(TargetState state);
TargetState parse_target_state(std::string_view text);

struct RolloutTarget {
  std::string vm;
  TargetState state = TargetState::pending;
  bool online = false;         // the VM's agent holds a live channel to the hub
  bool swarm_manager = false;  // the VM is a swarm manager (restarting it costs quorum)
};

struct RolloutPolicy {
  int max_parallel = 1;  // >= 1
  int max_failures = 0;  // >= 0; the rollout halts when failures exceed it
  std::chrono::seconds offline_deadline{3600};
};

struct RolloutInput {
  std::vector<RolloutTarget> targets;  // in rollout order
  int swarm_managers = 0;              // managers in the whole swarm, targets or not
  std::chrono::seconds age{0};         // time since the rollout started
  int swarm_managers_down = 0;         // managers offline and not being rotated here
};

enum class RolloutOutcome {
  unknown,
  in_progress,  // targets are running or waiting
  halted,       // too many failures; nothing more starts (targets still running finish)
  completed,    // every target done, failed (within max_failures) or skipped
};
std::string_view to_string(RolloutOutcome outcome);
RolloutOutcome parse_rollout_outcome(std::string_view text);

struct RolloutStep {
  std::vector<std::string> start;  // begin rotating these now, in this order
  std::vector<std::string> skip;   // offline past the deadline: mark skipped
  RolloutOutcome outcome = RolloutOutcome::in_progress;
  bool finished = false;  // outcome is final: nothing is running and nothing will start
  std::string reason;     // why it halted or why targets wait; empty when nothing to say
};

// The largest number of managers that may restart together without losing raft quorum, when
// `managers_down` of them are already down for other reasons. Three or more managers: what
// raft tolerates, floor((n-1)/2), less those already down (may be 0: then managers wait).
// One or two: 1 when none is down (no restart keeps quorum there), else 0.
int max_managers_at_once(int swarm_managers, int managers_down = 0);

RolloutStep plan_rollout_step(const RolloutInput& input, const RolloutPolicy& policy);

}  // namespace phoenix::hub
