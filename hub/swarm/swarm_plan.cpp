#include "hub/swarm/swarm_plan.hpp"

#include "hub/swarm/swarm_trust.hpp"

#include <algorithm>

namespace phoenix::hub {

std::set<std::string> desired_managers(const SwarmSettings& settings, const std::vector<SwarmVm>& vms) {
  std::set<std::string> out;
  if (!settings.manager_names.empty()) {
    for (const auto& name : settings.manager_names) {
      if (std::any_of(vms.begin(), vms.end(), [&](const SwarmVm& vm) { return vm.name == name; })) out.insert(name);
    }
    return out;
  }
  std::vector<std::string> names;
  for (const auto& vm : vms) names.push_back(vm.name);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (static_cast<int>(out.size()) >= settings.manager_count) break;
    out.insert(name);
  }
  return out;
}

SwarmPlan plan_swarm(const SwarmSettings& settings, const std::vector<SwarmVm>& vms) {
  SwarmPlan plan;
  plan.desired_managers = desired_managers(settings, vms);
  plan.ignored_claims = ignored_manager_claims(plan.desired_managers, vms);
  // Only a configured manager's swarm is the fleet's swarm.
  const bool swarm_exists = std::any_of(vms.begin(), vms.end(), [&](const SwarmVm& vm) {
    return vm.state == "active" && vm.manager && plan.desired_managers.count(vm.name) != 0;
  });
  std::vector<const SwarmVm*> ordered;
  for (const auto& vm : vms) ordered.push_back(&vm);
  std::sort(ordered.begin(), ordered.end(), [](const SwarmVm* a, const SwarmVm* b) { return a->name < b->name; });

  bool init_planned = false;
  if (!swarm_exists) {
    for (const SwarmVm* vm : ordered) {
      // An active worker cannot init; it shows as a role mismatch below.
      if (plan.desired_managers.count(vm->name) != 0 && vm->connected && vm->state != "active") {
        plan.steps.push_back({SwarmAction::init, vm->name});
        init_planned = true;
        break;
      }
    }
  }
  const bool can_join = swarm_exists || init_planned;
  for (const bool managers : {true, false}) {
    for (const SwarmVm* vm : ordered) {
      const bool wants_manager = plan.desired_managers.count(vm->name) != 0;
      if (wants_manager != managers) continue;
      if (init_planned && plan.steps.front().vm == vm->name) continue;
      if (vm->state == "active") {
        if (vm->manager != wants_manager) plan.role_mismatch.push_back(vm->name);
        continue;
      }
      if (!vm->connected || !can_join) {
        plan.waiting.push_back(vm->name);
        continue;
      }
      plan.steps.push_back({wants_manager ? SwarmAction::join_manager : SwarmAction::join_worker, vm->name});
    }
  }
  return plan;
}

std::string_view to_string(SwarmAction action) {
  switch (action) {
    case SwarmAction::init: return "init";
    case SwarmAction::join_manager: return "join_manager";
    case SwarmAction::join_worker: return "join_worker";
  }
  return "unknown";
}

}  // namespace phoenix::hub
