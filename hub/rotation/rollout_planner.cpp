#include "hub/rotation/rollout_planner.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace phoenix::hub {
namespace {

constexpr std::array<std::pair<TargetState, std::string_view>, 6> kTargetStates = {{
    {TargetState::pending, "pending"},
    {TargetState::running, "running"},
    {TargetState::done, "done"},
    {TargetState::failed, "failed"},
    {TargetState::skipped, "skipped"},
    {TargetState::unknown, "unknown"},
}};

constexpr std::array<std::pair<RolloutOutcome, std::string_view>, 4> kOutcomes = {{
    {RolloutOutcome::in_progress, "in_progress"},
    {RolloutOutcome::halted, "halted"},
    {RolloutOutcome::completed, "completed"},
    {RolloutOutcome::unknown, "unknown"},
}};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, text] : table) {
    if (v == value) return text;
  }
  return "unknown";
}

template <class Enum, std::size_t N>
Enum value_of(const std::array<std::pair<Enum, std::string_view>, N>& table, std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return Enum::unknown;
}

int count(const std::vector<RolloutTarget>& targets, TargetState state) {
  return static_cast<int>(std::count_if(targets.begin(), targets.end(),
                                        [&](const RolloutTarget& t) { return t.state == state; }));
}

}  // namespace

std::string_view to_string(TargetState state) { return name_of(kTargetStates, state); }
TargetState parse_target_state(std::string_view text) { return value_of(kTargetStates, text); }
std::string_view to_string(RolloutOutcome outcome) { return name_of(kOutcomes, outcome); }
RolloutOutcome parse_rollout_outcome(std::string_view text) { return value_of(kOutcomes, text); }

int max_managers_at_once(int swarm_managers, int managers_down) {
  if (swarm_managers <= 2) return managers_down > 0 ? 0 : 1;
  return std::max(0, (swarm_managers - 1) / 2 - managers_down);
}

RolloutStep plan_rollout_step(const RolloutInput& input, const RolloutPolicy& policy) {
  RolloutStep step;
  const int running = count(input.targets, TargetState::running);
  const int failed = count(input.targets, TargetState::failed);

  if (failed > policy.max_failures) {
    step.outcome = RolloutOutcome::halted;
    step.finished = running == 0;
    step.reason = std::to_string(failed) + " failed, more than max_failures " +
                  std::to_string(policy.max_failures) + ": the rollout starts no more VMs";
    return step;
  }

  const bool past_deadline = input.age >= policy.offline_deadline;
  int slots = std::max(1, policy.max_parallel) - running;
  int managers_running = static_cast<int>(std::count_if(
      input.targets.begin(), input.targets.end(),
      [](const RolloutTarget& t) { return t.state == TargetState::running && t.swarm_manager; }));
  const int manager_cap = max_managers_at_once(input.swarm_managers, input.swarm_managers_down);

  int waiting_offline = 0;
  int waiting_quorum = 0;
  for (const RolloutTarget& target : input.targets) {
    if (target.state != TargetState::pending) continue;
    if (!target.online) {
      if (past_deadline) {
        step.skip.push_back(target.vm);
      } else {
        ++waiting_offline;
      }
      continue;
    }
    if (slots <= 0) continue;
    if (target.swarm_manager && managers_running >= manager_cap) {
      ++waiting_quorum;
      continue;
    }
    step.start.push_back(target.vm);
    --slots;
    if (target.swarm_manager) ++managers_running;
  }

  const int pending_left = count(input.targets, TargetState::pending) -
                           static_cast<int>(step.skip.size()) - static_cast<int>(step.start.size());
  if (running == 0 && step.start.empty() && pending_left == 0) {
    step.outcome = RolloutOutcome::completed;
    step.finished = true;
    return step;
  }
  if (waiting_offline > 0) {
    step.reason = std::to_string(waiting_offline) + " VM(s) wait for their agent to come online";
  } else if (waiting_quorum > 0) {
    step.reason = std::to_string(waiting_quorum) +
                  " swarm manager(s) wait so that a majority of managers stays up";
  }
  return step;
}

}  // namespace phoenix::hub
