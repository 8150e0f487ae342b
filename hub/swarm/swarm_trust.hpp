#pragma once
// What the hub believes about the swarm, pure (issue 13): an agent's word is believed only about
// its own node, and only a configured manager is believed about the swarm. So
//  - the address others join is the one the hub saw the manager's channel come from;
//  - join tokens must carry the root CA digest of the swarm the hub made or first adopted on a
//    configured manager (recorded in its store);
//  - a revoked VM's node is found in a configured manager's node list by the address the hub
//    saw that VM's channel come from, never by the node id the VM reported;
//  - auto_join only ever joins VMs into that recorded swarm.
#include "hub/swarm/swarm_plan.hpp"

#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub {

struct TokenVerdict {
  bool ok = false;
  std::string ca_digest;  // of the tokens, when they parse and agree
  std::string why;        // when not ok: a sentence for logs, the API and /events
};
// Both tokens must be swarm join tokens of one swarm (the same CA digest); when `anchored` is not
// empty, that swarm must be the recorded one.
TokenVerdict check_join_tokens(const std::string& worker, const std::string& manager, const std::string& anchored);

// "ip:2377" ("[v6]:2377"); empty when the hub saw no address.
std::string swarm_join_address(const std::string& ip);

// The connected configured manager that reports an active manager node (the first in name
// order), the one the hub asks for tokens and node lists; nothing when there is none.
std::optional<std::string> trusted_manager(const std::set<std::string>& configured, const std::vector<SwarmVm>& vms);

// VMs that report themselves swarm managers while the hub does not count them as managers.
std::vector<std::string> ignored_manager_claims(const std::set<std::string>& configured,
                                                const std::vector<SwarmVm>& vms);

struct SwarmNodeFact {
  std::string id;
  std::string addr;  // Status.Addr: the address the manager sees the node at
  std::string role;
};
struct NodeMatch {
  std::vector<std::string> node_ids;
  std::string why;  // when node_ids is empty: why nothing is removed
};
// The nodes of a VM the hub saw at `vm_ip`: every node at that address, unless another enrolled
// VM was seen there too (a reused address: nothing, the operator decides), and never
// `manager_node_id`, the node answering.
NodeMatch nodes_of_vm(const std::vector<SwarmNodeFact>& nodes, const std::string& vm_ip,
                      const std::vector<std::string>& other_vm_ips, const std::string& manager_node_id);

struct AutoJoinDecision {
  bool join = false;
  std::string why;  // when not joining for a reason the operator should see; empty otherwise
};
// Whether VM `vm` (just connected or reported) should be joined without an operator: only when
// it is outside any swarm, the hub has recorded its swarm (`anchored`), and a configured manager
// of it is connected. auto_join never makes or adopts a swarm.
AutoJoinDecision decide_auto_join(const SwarmSettings& settings, const std::vector<SwarmVm>& vms,
                                  const std::string& vm, bool anchored);

}  // namespace phoenix::hub
