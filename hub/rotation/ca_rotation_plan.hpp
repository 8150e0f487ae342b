#pragma once
// The phases of a docker-ca rotation (issue 6), after Teleport's CA rotation and SPIRE's A/B
// slots (rotation.md): trust the new CA everywhere before anything it signed is used, then
// reissue every leaf under it, then drop the old one. Each phase is a full rolling rollout
// over the fleet (every VM gets fresh leaves and the phase's trust bundle, verify-or-rollback
// as always). Until the last phase starts every VM still trusts the old CA, so a rollback to
// it is possible: sign with the old CA again, then drop the new one.
#include "hub/agents/docker_trust.hpp"

#include <span>
#include <string>
#include <string_view>

namespace phoenix::hub {

struct CaPhase {
  std::string_view name;
  bool sign_with_new;
  bool trust_old;
  bool trust_new;
};

inline constexpr std::string_view kForwardPlan = "forward";
inline constexpr std::string_view kRollbackPlan = "rollback";

// The phases of "forward" (trust_new, sign_new, drop_old) or "rollback" (sign_old, drop_new);
// empty for any other plan name.
std::span<const CaPhase> ca_plan(std::string_view plan);

// The docker trust in force during `phase` of a rotation from CA `old_ca` to `new_ca`.
DockerTrustState trust_for_phase(const CaPhase& phase, const std::string& old_ca, const std::string& new_ca);

// A forward rotation that has not started dropping the old CA can still go back to it.
bool can_roll_back(std::string_view plan, int phase);

// The id the agent sees for one phase, so each phase is a rotation of its own there.
std::string phase_rotation_id(const std::string& rotation_id, const CaPhase& phase);

}  // namespace phoenix::hub
