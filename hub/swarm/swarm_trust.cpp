#include "hub/swarm/swarm_trust.hpp"

#include "hub/swarm/swarm_token.hpp"

#include <algorithm>

namespace phoenix::hub {

TokenVerdict check_join_tokens(const std::string& worker, const std::string& manager, const std::string& anchored) {
  const auto w = parse_swarm_token(worker);
  const auto m = parse_swarm_token(manager);
  if (!w || !m) return {false, "", "the manager answered join tokens that are not swarm join tokens"};
  if (w->ca_digest != m->ca_digest) {
    return {false, "", "the manager's worker and manager join tokens belong to different swarms"};
  }
  if (!anchored.empty() && w->ca_digest != anchored) {
    return {false, w->ca_digest,
            "the manager's join tokens belong to another swarm (root CA digest " + w->ca_digest.substr(0, 12) +
                "…) than the one the hub formed (" + anchored.substr(0, 12) +
                "…): no VM is sent to it; if that swarm was replaced on purpose, make the configured managers "
                "leave it (docker swarm leave --force) and POST /swarm/sync, so the hub forms and records a new one"};
  }
  return {true, w->ca_digest, ""};
}

std::string swarm_join_address(const std::string& ip) {
  if (ip.empty()) return "";
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":2377";
}

std::optional<std::string> trusted_manager(const std::set<std::string>& configured, const std::vector<SwarmVm>& vms) {
  std::optional<std::string> out;
  for (const auto& vm : vms) {
    if (configured.count(vm.name) == 0 || !vm.connected || vm.state != "active" || !vm.manager) continue;
    if (!out || vm.name < *out) out = vm.name;
  }
  return out;
}

std::vector<std::string> ignored_manager_claims(const std::set<std::string>& configured,
                                                const std::vector<SwarmVm>& vms) {
  std::vector<std::string> out;
  for (const auto& vm : vms) {
    if (vm.state == "active" && vm.manager && configured.count(vm.name) == 0) out.push_back(vm.name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

NodeMatch nodes_of_vm(const std::vector<SwarmNodeFact>& nodes, const std::string& vm_ip,
                      const std::vector<std::string>& other_vm_ips, const std::string& manager_node_id) {
  NodeMatch out;
  if (vm_ip.empty()) {
    out.why = "the hub never saw this VM's address since it started: remove its node by hand (docker node rm)";
    return out;
  }
  if (std::find(other_vm_ips.begin(), other_vm_ips.end(), vm_ip) != other_vm_ips.end()) {
    out.why = "another enrolled VM was seen at " + vm_ip + " too: remove the right node by hand (docker node rm)";
    return out;
  }
  for (const auto& node : nodes) {
    if (node.addr == vm_ip && !node.id.empty() && node.id != manager_node_id) out.node_ids.push_back(node.id);
  }
  if (out.node_ids.empty()) out.why = "no node of the swarm is at " + vm_ip;
  return out;
}

AutoJoinDecision decide_auto_join(const SwarmSettings& settings, const std::vector<SwarmVm>& vms,
                                  const std::string& vm, bool anchored) {
  const auto it = std::find_if(vms.begin(), vms.end(), [&](const SwarmVm& v) { return v.name == vm; });
  if (it == vms.end() || !it->connected || it->state != "inactive") return {};
  const auto configured = desired_managers(settings, vms);
  if (configured.empty()) {
    return {false, "auto_join: no VM named in swarm.managers is enrolled, so there is no manager to join " + vm +
                       " to; name the managers in swarm.managers"};
  }
  if (!anchored) {
    return {false, "auto_join: the hub has not formed a swarm yet, so " + vm +
                       " waits; POST /swarm/sync forms it on the configured managers"};
  }
  if (!trusted_manager(configured, vms)) {
    return {false, "auto_join: no configured manager is connected and active, so " + vm + " waits"};
  }
  return {true, ""};
}

}  // namespace phoenix::hub
