#pragma once
// Swarm membership decisions ("sync all", issue 7), pure: from the configured managers and what
// each VM's agent reports about its own node (node id, local state, manager or not), the steps
// that make the fleet one swarm — init on the first configured manager when none of them runs
// one, then join the other managers and the workers — and the VMs whose membership differs
// from the desired one. A VM's claim to manage a swarm counts only when it is a configured
// manager (issue 13): any VM could make that claim, and a believed one would lead the fleet
// into the claimant's swarm.
// Every step is idempotent on the agent, so a plan computed from slightly stale reports
// does no harm; a second sync after a good one plans nothing.
#include <set>
#include <string>
#include <vector>

namespace phoenix::hub {

struct SwarmSettings {
  int manager_count = 1;                   // when manager_names is empty
  std::vector<std::string> manager_names;  // explicit managers, in preference order
  bool auto_join = true;                   // a newly connected VM joins by itself
};

struct SwarmVm {
  std::string name;
  bool connected = false;
  std::string node_id;
  std::string state;  // Docker's LocalNodeState: inactive, pending, active, error, locked
  bool manager = false;
  std::string address;  // the IP the hub saw its channel come from (not the agent's word)
};

enum class SwarmAction { init, join_manager, join_worker };

struct SwarmStep {
  SwarmAction action;
  std::string vm;
};

struct SwarmPlan {
  std::set<std::string> desired_managers;
  std::vector<SwarmStep> steps;             // in order: init first, managers, then workers
  std::vector<std::string> waiting;         // VMs that need a step but are offline
  std::vector<std::string> role_mismatch;   // active with the other role (promotion/demotion is manual)
  std::vector<std::string> ignored_claims;  // report a manager role the configuration does not give them
};

// Which VMs are managers — the only ones asked to init, inspect or hand out tokens: the named
// ones (those enrolled), or the first `manager_count` VMs by name. Never chosen from what the
// VMs report: that is the claim an attacker in a VM controls.
std::set<std::string> desired_managers(const SwarmSettings& settings, const std::vector<SwarmVm>& vms);

SwarmPlan plan_swarm(const SwarmSettings& settings, const std::vector<SwarmVm>& vms);

std::string_view to_string(SwarmAction action);

}  // namespace phoenix::hub
