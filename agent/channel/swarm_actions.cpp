#include "agent/channel/swarm_actions.hpp"

#include <algorithm>

namespace phoenix::agent {
namespace {
using nlohmann::json;

struct LocalSwarm {
  std::string state;  // inactive, pending, active, error, locked
  std::string node_id;
  bool manager = false;
};

Result<LocalSwarm> local_swarm(engine::EngineClient& engine) {
  auto info = engine.info();
  if (!info) return info.error();
  LocalSwarm out;
  if (const auto swarm = info->find("Swarm"); swarm != info->end() && swarm->is_object()) {
    out.state = swarm->value("LocalNodeState", "");
    out.node_id = swarm->value("NodeID", "");
    out.manager = swarm->value("ControlAvailable", false);
  }
  return out;
}

Result<json> tokens_of(engine::EngineClient& engine) {
  auto swarm = engine.get("/swarm");
  if (!swarm) return swarm.error();
  const auto tokens = swarm->find("JoinTokens");
  if (tokens == swarm->end() || !tokens->is_object()) {
    return make_error("swarm_error", "dockerd's /swarm answer has no JoinTokens");
  }
  return json{{"worker", tokens->value("Worker", "")}, {"manager", tokens->value("Manager", "")}};
}
}  // namespace

Result<json> swarm_init(engine::EngineClient& engine, const std::string& advertise_addr) {
  if (advertise_addr.empty()) return make_error("no_address", "this VM's address toward the hub is unknown");
  // host:port as Docker wants it: IPv6 in brackets.
  const std::string manager_addr =
      (advertise_addr.find(':') != std::string::npos ? "[" + advertise_addr + "]" : advertise_addr) + ":2377";
  auto local = local_swarm(engine);
  if (!local) return local.error();
  bool changed = false;
  if (local->state == "active" && !local->manager) {
    return make_error("swarm_worker", "this node is a worker of another swarm: leave it first");
  }
  if (local->state != "active") {
    if (local->state == "pending" || local->state == "error") {
      if (auto left = engine.post("/swarm/leave?force=true"); !left) return left.error();
    }
    auto init = engine.post("/swarm/init", {{"ListenAddr", "0.0.0.0:2377"}, {"AdvertiseAddr", advertise_addr}});
    if (!init) return init.error();
    changed = true;
    local = local_swarm(engine);
    if (!local) return local.error();
  }
  auto tokens = tokens_of(engine);
  if (!tokens) return tokens.error();
  return json{{"changed", changed},
              {"node_id", local->node_id},
              {"manager_addr", manager_addr},
              {"join_tokens", *tokens}};
}

Result<json> swarm_join(engine::EngineClient& engine, const std::string& advertise_addr,
                        const std::vector<std::string>& remote_addrs, const std::string& join_token) {
  auto local = local_swarm(engine);
  if (!local) return local.error();
  if (local->state == "active") return json{{"changed", false}, {"node_id", local->node_id}, {"manager", local->manager}};
  if (local->state == "pending" || local->state == "error") {
    if (auto left = engine.post("/swarm/leave?force=true"); !left) return left.error();
  }
  auto joined = engine.post("/swarm/join", {{"ListenAddr", "0.0.0.0:2377"},
                                             {"AdvertiseAddr", advertise_addr},
                                             {"RemoteAddrs", remote_addrs},
                                             {"JoinToken", join_token}});
  if (!joined) return joined.error();
  local = local_swarm(engine);
  if (!local) return local.error();
  return json{{"changed", true}, {"node_id", local->node_id}, {"manager", local->manager}};
}

Result<json> swarm_leave(engine::EngineClient& engine) {
  auto local = local_swarm(engine);
  if (!local) return local.error();
  if (local->state == "inactive") return json{{"changed", false}};
  if (auto left = engine.post("/swarm/leave?force=true"); !left) return left.error();
  return json{{"changed", true}};
}

Result<json> swarm_remove_node(engine::EngineClient& engine, const std::string& node_id) {
  const bool valid = !node_id.empty() && node_id.size() <= 64 &&
                     std::all_of(node_id.begin(), node_id.end(),
                                 [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
  if (!valid) return make_error("invalid_body", "a node id is [a-z0-9]{1,64}");
  auto response = engine.call(boost::beast::http::verb::delete_, "/nodes/" + node_id + "?force=true");
  if (!response) return response.error();
  if (response->status == 404) return json{{"changed", false}};
  if (response->status >= 300) {
    return make_error("http_error", "dockerd refused to remove node " + node_id + " (" +
                                        std::to_string(response->status) + "): " + response->body);
  }
  return json{{"changed", true}};
}

Result<json> swarm_inspect(engine::EngineClient& engine) {
  auto local = local_swarm(engine);
  if (!local) return local.error();
  if (local->state != "active" || !local->manager) {
    return make_error("not_a_manager", "this node is not an active swarm manager");
  }
  auto nodes = engine.get("/nodes");
  if (!nodes) return nodes.error();
  json out = json::array();
  for (const auto& node : *nodes) {
    const auto& spec = node.value("Spec", json::object());
    const auto& status = node.value("Status", json::object());
    const auto manager_status = node.find("ManagerStatus");
    const bool has_manager_status = manager_status != node.end() && manager_status->is_object();
    out.push_back({{"id", node.value("ID", "")},
                   {"hostname", node.value("Description", json::object()).value("Hostname", "")},
                   {"role", spec.value("Role", "")},
                   {"availability", spec.value("Availability", "")},
                   {"state", status.value("State", "")},
                   {"addr", status.value("Addr", "")},
                   {"leader", has_manager_status && manager_status->value("Leader", false)},
                   {"reachability", has_manager_status ? manager_status->value("Reachability", "") : ""}});
  }
  auto tokens = tokens_of(engine);
  if (!tokens) return tokens.error();
  return json{{"node_id", local->node_id}, {"nodes", out}, {"join_tokens", *tokens}};
}

Result<SwarmCommandArgs> read_swarm_command(protocol::MessageType type, const json& body) {
  SwarmCommandArgs args;
  if (!body.is_object()) return make_error("invalid_body", "a swarm command's body must be a JSON object");
  if (type == protocol::MessageType::swarm_join) {
    if (const auto it = body.find("remote_addrs"); it != body.end() && it->is_array()) {
      for (const auto& addr : *it) {
        if (addr.is_string()) args.remote_addrs.push_back(addr.get<std::string>());
      }
    }
    const auto token = body.find("join_token");
    if (args.remote_addrs.empty() || token == body.end() || !token->is_string()) {
      return make_error("invalid_body", "swarm_join needs remote_addrs and join_token");
    }
    args.join_token = token->get<std::string>();
  } else if (type == protocol::MessageType::swarm_remove_node) {
    const auto id = body.find("node_id");
    if (id == body.end() || !id->is_string()) {
      return make_error("invalid_body", "swarm_remove_node needs node_id, a string");
    }
    args.node_id = id->get<std::string>();
  }
  return args;
}

}  // namespace phoenix::agent
