#pragma once
// What the hub's store keeps of a fleet-wide rotation (issue 6): the rollout itself and one
// row per target VM, so a restarted hub resumes where it stopped and `GET /rotations/{id}`
// shows per-VM state, timings, old/new serials and error text.
#include "hub/rotation/rollout_planner.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub {

using RecordTime = std::chrono::system_clock::time_point;  // stored as unix seconds

struct RotationTargetRecord {
  std::string vm;
  TargetState state = TargetState::pending;
  std::optional<RecordTime> started_at;
  std::optional<RecordTime> finished_at;
  std::string old_serial;  // "" while unknown
  std::string new_serial;
  std::string error;  // why it failed or was skipped; "" otherwise
};

struct RotationRecord {
  std::string id;
  std::string kind;  // "docker-tls", "docker-ca", "identity"
  int max_parallel = 1;
  int max_failures = 0;
  RolloutOutcome outcome = RolloutOutcome::in_progress;
  std::string reason;  // the planner's last word (why it halted, what waits)
  RecordTime created_at{};
  std::optional<RecordTime> finished_at;
  std::vector<RotationTargetRecord> targets;  // in rollout order
  // docker-ca only: "forward" or "rollback", the index of the phase in that plan, and the
  // CA names it moves from and to (see ca_rotation_plan.hpp).
  std::string plan;
  int phase = 0;
  std::string old_ca;
  std::string new_ca;
};

}  // namespace phoenix::hub
