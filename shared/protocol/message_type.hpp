#pragma once
// The message types of the agent <-> hub channel (SPEC "Agent <-> hub channel").
// `unknown` comes first: a type string this build does not know maps to it, and the
// receiver answers with an `error` message instead of guessing.
#include <string_view>

namespace phoenix::protocol {

enum class MessageType {
  unknown,
  // agent -> hub
  hello,          // full state on connect
  state,          // full state after any change
  sign_request,   // CSRs to be signed by the hub (identity renewal, docker TLS)
  // hub -> agent commands
  renew_identity,
  rotate_docker_tls,
  update_trust_bundle,
  swarm_init,
  swarm_join,
  swarm_leave,
  swarm_inspect,  // a manager's view: nodes and join tokens (read-only)
  swarm_remove_node,  // on a manager: forget a node that left (a VM removed from the fleet)
  // either way
  result,  // success answer; `re` names the request
  error,   // failure answer or complaint about a message; `re` names it when known
};

MessageType parse_message_type(std::string_view text);
std::string_view to_string(MessageType type);

}  // namespace phoenix::protocol
