#include "hub/rotation/ca_rotation_plan.hpp"

#include <array>

namespace phoenix::hub {
namespace {
constexpr std::array<CaPhase, 3> kForward = {{
    {"trust_new", false, true, true},
    {"sign_new", true, true, true},
    {"drop_old", true, false, true},
}};
constexpr std::array<CaPhase, 2> kRollback = {{
    {"sign_old", false, true, true},
    {"drop_new", false, true, false},
}};
}  // namespace

std::span<const CaPhase> ca_plan(std::string_view plan) {
  if (plan == kForwardPlan) return kForward;
  if (plan == kRollbackPlan) return kRollback;
  return {};
}

DockerTrustState trust_for_phase(const CaPhase& phase, const std::string& old_ca, const std::string& new_ca) {
  DockerTrustState state;
  state.signing = phase.sign_with_new ? new_ca : old_ca;
  if (phase.trust_old) state.trusted.push_back(old_ca);
  if (phase.trust_new) state.trusted.push_back(new_ca);
  return state;
}

bool can_roll_back(std::string_view plan, int phase) { return plan == kForwardPlan && phase >= 0 && phase < 2; }

std::string phase_rotation_id(const std::string& rotation_id, const CaPhase& phase) {
  return rotation_id + "." + std::string(phase.name);
}

}  // namespace phoenix::hub
