#pragma once
// The agent's swarm commands against its local dockerd (SPEC "Swarm through the local Engine
// API"), each idempotent so the hub can repeat a sync without harm:
//  - init: a manager of a new swarm, unless this node is already one; answers with the join
//    tokens and the address others join at;
//  - join: a member at `remote_addrs` with `join_token`, unless already active;
//  - leave: out of the swarm (forced: a lone manager may leave), unless already out;
//  - inspect (managers): the nodes and the join tokens.
// Blocking (dockerd may take seconds): run off the channel thread.
#include "agent/engine/engine_client.hpp"
#include "shared/core/error.hpp"
#include "shared/protocol/message_type.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace phoenix::agent {

// The parts of a swarm command's body this agent uses: remote_addrs and join_token for
// swarm_join, node_id for swarm_remove_node (the others need nothing). Never throws: a missing
// field or one of another JSON type is Error "invalid_body" naming the field, answered to the hub.
struct SwarmCommandArgs {
  std::vector<std::string> remote_addrs;
  std::string join_token;
  std::string node_id;
};
Result<SwarmCommandArgs> read_swarm_command(protocol::MessageType type, const nlohmann::json& body);

// `advertise_addr`: this VM's address the others reach (the channel's local address).
Result<nlohmann::json> swarm_init(engine::EngineClient& engine, const std::string& advertise_addr);
Result<nlohmann::json> swarm_join(engine::EngineClient& engine, const std::string& advertise_addr,
                                  const std::vector<std::string>& remote_addrs, const std::string& join_token);
Result<nlohmann::json> swarm_leave(engine::EngineClient& engine);
Result<nlohmann::json> swarm_inspect(engine::EngineClient& engine);
// On a manager: removes node `node_id` ([a-z0-9]{1,64}) from the swarm; gone already is fine.
Result<nlohmann::json> swarm_remove_node(engine::EngineClient& engine, const std::string& node_id);

}  // namespace phoenix::agent
