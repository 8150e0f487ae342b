#include "hub/swarm/swarm_service.hpp"

#include "shared/core/log.hpp"
#include "shared/protocol/json_read.hpp"

#include <boost/asio/post.hpp>

#include <set>

namespace phoenix::hub {
namespace net = boost::asio;
using nlohmann::json;
using protocol::MessageType;

namespace {
constexpr const char* kLog = "swarm";
constexpr auto kCommandTimeout = std::chrono::seconds(90);

SwarmVm observe_one(const std::string& name, bool connected, const json& state) {
  SwarmVm vm;
  vm.name = name;
  vm.connected = connected;
  vm.node_id = protocol::json_text(state, {"swarm", "node_id"});
  vm.state = protocol::json_text(state, {"swarm", "state"});
  vm.manager = protocol::json_bool(state, {"swarm", "control_available"});
  return vm;
}
}  // namespace

struct SwarmService::Run {
  SwarmPlan plan;
  std::size_t next = 0;
  json tokens;               // {"worker","manager"}
  std::string manager_addr;  // ip:2377
  json results = json::array();
  json removed = json::array();  // ghost nodes the manager forgot
  std::vector<Done> waiters;
};

SwarmService::SwarmService(net::any_io_executor executor, std::shared_ptr<AgentRegistry> registry,
                           std::shared_ptr<HubStore> store, SwarmSettings settings)
    : strand_(net::make_strand(executor)),
      registry_(std::move(registry)),
      store_(std::move(store)),
      settings_(std::move(settings)) {}

void SwarmService::start() {
  if (!settings_.auto_join) return;
  registry_->on_change([weak = weak_from_this()](const std::string& vm) {
    if (auto self = weak.lock()) net::post(self->strand_, [self, vm] { self->maybe_auto_join(vm); });
  });
}

std::vector<SwarmVm> SwarmService::observe() {
  std::vector<SwarmVm> out;
  auto agents = store_->list_agents();
  if (!agents) return out;
  for (const auto& agent : *agents) {
    if (agent.revoked) continue;
    const auto live = registry_->find(agent.name);
    out.push_back(observe_one(agent.name, live.has_value(), live ? live->last_state : agent.last_state));
  }
  return out;
}

void SwarmService::maybe_auto_join(const std::string& name) {
  if (running_) return;
  const auto live = registry_->find(name);
  if (!live) return;
  const auto vm = observe_one(name, true, live->last_state);
  if (vm.state != "inactive") return;
  const auto vms = observe();
  const bool swarm_exists = std::any_of(vms.begin(), vms.end(),
                                        [](const SwarmVm& v) { return v.connected && v.state == "active" && v.manager; });
  if (!swarm_exists) return;
  log::info(kLog, name + " is outside the swarm: joining it (auto_join)");
  begin_sync(nullptr);
}

void SwarmService::sync(Done done) {
  net::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    if (self->running_) {
      self->queued_.push_back(std::move(done));
      return;
    }
    self->begin_sync(std::move(done));
  });
}

void SwarmService::begin_sync(Done done) {
  running_ = true;
  auto run = std::make_shared<Run>();
  if (done) run->waiters.push_back(std::move(done));
  const auto vms = observe();
  run->plan = plan_swarm(settings_, vms);
  const bool has_init = !run->plan.steps.empty() && run->plan.steps.front().action == SwarmAction::init;
  if (!run->plan.steps.empty() && !has_init) {
    // Joins into the existing swarm: its tokens come from a manager (swarm_init is a no-op there).
    for (const auto& vm : vms) {
      if (vm.connected && vm.state == "active" && vm.manager) {
        run->plan.steps.insert(run->plan.steps.begin(), SwarmStep{SwarmAction::init, vm.name});
        break;
      }
    }
  }
  log::info(kLog, "sync: " + std::to_string(run->plan.steps.size()) + " step(s)");
  next_step(run);
}

void SwarmService::next_step(const std::shared_ptr<Run>& run) {
  if (run->next >= run->plan.steps.size()) return prune(run);
  const SwarmStep step = run->plan.steps[run->next++];
  json body = json::object();
  MessageType type = MessageType::swarm_init;
  if (step.action != SwarmAction::init) {
    if (run->manager_addr.empty()) {
      run->results.push_back({{"vm", step.vm}, {"action", to_string(step.action)}, {"ok", false}, {"changed", false},
                              {"error", "no manager answered with the join tokens"}});
      return next_step(run);
    }
    type = MessageType::swarm_join;
    body = {{"remote_addrs", {run->manager_addr}},
            {"join_token", protocol::json_text(run->tokens, {step.action == SwarmAction::join_manager ? "manager" : "worker"})}};
  }
  registry_->send_command(
      step.vm, type, std::move(body),
      [self = shared_from_this(), run, step](Result<json> answer) {
        net::post(self->strand_, [self, run, step, answer = std::move(answer)] {
          json result = {{"vm", step.vm}, {"action", to_string(step.action)}, {"ok", answer.has_value()}};
          if (answer) {
            result["changed"] = protocol::json_bool(*answer, {"changed"});
            result["error"] = nullptr;
            if (step.action == SwarmAction::init) {
              const auto* tokens = protocol::json_at(*answer, {"join_tokens"});
              run->tokens = tokens != nullptr && tokens->is_object() ? *tokens : json::object();
              run->manager_addr = protocol::json_text(*answer, {"manager_addr"});
            }
          } else {
            result["changed"] = false;
            result["error"] = answer.error().code + ": " + answer.error().message;
            log::warning(kLog, step.vm + " " + std::string(to_string(step.action)) + " failed: " + answer.error().message);
          }
          run->results.push_back(std::move(result));
          self->next_step(run);
        });
      },
      kCommandTimeout);
}

void SwarmService::prune(const std::shared_ptr<Run>& run) {
  // Nodes a VM left behind when it lost its swarm state and joined again (a new node id):
  // down, and no VM reports them. The manager forgets them, so the swarm lists no ghosts.
  const auto vms = observe();
  std::string manager;
  std::set<std::string> known;
  for (const auto& vm : vms) {
    if (!vm.node_id.empty()) known.insert(vm.node_id);
    if (vm.connected && vm.state == "active" && vm.manager) manager = vm.name;
  }
  if (manager.empty()) return finish(run);
  registry_->send_command(
      manager, MessageType::swarm_inspect, json::object(),
      [self = shared_from_this(), run, manager, known](Result<json> answer) {
        std::vector<std::string> ghosts;
        if (answer) {
          for (const auto& node : protocol::json_array(*answer, {"nodes"})) {
            const std::string id = protocol::json_text(node, {"id"});
            if (protocol::json_text(node, {"state"}) == "down" && !id.empty() && known.count(id) == 0) {
              ghosts.push_back(id);
            }
          }
        }
        net::post(self->strand_, [self, run, manager, ghosts] { self->remove_ghosts(run, manager, ghosts); });
      },
      kCommandTimeout);
}

void SwarmService::remove_ghosts(const std::shared_ptr<Run>& run, const std::string& manager,
                                 std::vector<std::string> ghosts) {
  if (ghosts.empty()) return finish(run);
  const std::string id = ghosts.back();
  ghosts.pop_back();
  log::info(kLog, "removing node " + id + " that no VM reports any more");
  registry_->send_command(
      manager, MessageType::swarm_remove_node, {{"node_id", id}},
      [self = shared_from_this(), run, manager, ghosts, id](Result<json> answer) mutable {
        net::post(self->strand_, [self, run, manager, ghosts = std::move(ghosts), id, ok = answer.has_value()]() mutable {
          run->removed.push_back({{"node_id", id}, {"ok", ok}});
          self->remove_ghosts(run, manager, std::move(ghosts));
        });
      },
      kCommandTimeout);
}

void SwarmService::finish(const std::shared_ptr<Run>& run) {
  const json answer = {{"results", run->results},
                       {"removed_nodes", run->removed},
                       {"waiting", run->plan.waiting},
                       {"role_mismatch", run->plan.role_mismatch},
                       {"managers_desired", run->plan.desired_managers}};
  for (auto& waiter : run->waiters) waiter(answer);
  running_ = false;
  if (!queued_.empty()) {
    auto waiters = std::move(queued_);
    queued_.clear();
    begin_sync([waiters](json result) {
      for (auto& w : waiters) w(result);
    });
  }
}

void SwarmService::remove(const std::string& name, Done done) {
  net::post(strand_, [self = shared_from_this(), name, done = std::move(done)]() mutable {
    // observe() leaves revoked VMs out; the leaving VM's last report comes from the store.
    auto record = self->store_->get_agent(name);
    if (!record || !*record) return done({{"removed", false}, {"node_id", ""}});
    const SwarmVm leaving = observe_one(name, false, (*record)->last_state);
    std::string manager;
    for (const auto& vm : self->observe()) {
      if (vm.name != name && vm.connected && vm.state == "active" && vm.manager) manager = vm.name;
    }
    if (leaving.node_id.empty() || leaving.state != "active" || manager.empty()) {
      return done({{"removed", false}, {"node_id", leaving.node_id}});
    }
    log::info(kLog, "removing the node of " + name + " (" + leaving.node_id + ") through " + manager);
    self->registry_->send_command(
        manager, MessageType::swarm_remove_node, {{"node_id", leaving.node_id}},
        [done, node = leaving.node_id](Result<json> answer) mutable {
          if (!answer) log::warning(kLog, "removing node " + node + " failed: " + answer.error().message);
          done({{"removed", answer.has_value()}, {"node_id", node}});
        },
        kCommandTimeout);
  });
}

void SwarmService::inspect(Done done) {
  net::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    const auto vms = self->observe();
    const auto desired = desired_managers(self->settings_, vms);
    json rows = json::array();
    json drift = json::array();
    for (const auto& vm : vms) {
      const bool wants_manager = desired.count(vm.name) != 0;
      const bool in_sync = vm.state == "active" && vm.manager == wants_manager;
      rows.push_back({{"vm", vm.name},
                      {"connected", vm.connected},
                      {"desired_role", wants_manager ? "manager" : "worker"},
                      {"role", vm.state == "active" ? json(vm.manager ? "manager" : "worker") : json(nullptr)},
                      {"state", vm.state.empty() ? json(nullptr) : json(vm.state)},
                      {"node_id", vm.node_id.empty() ? json(nullptr) : json(vm.node_id)},
                      {"in_sync", in_sync}});
      if (!in_sync) drift.push_back(vm.name);
    }
    json base = {{"managers_desired", desired}, {"vms", rows}, {"drift", drift}, {"nodes", json::array()},
                 {"leader", nullptr}};
    std::string manager;
    for (const auto& vm : vms) {
      if (vm.connected && vm.state == "active" && vm.manager) manager = vm.name;
    }
    if (manager.empty()) return done(base);
    self->registry_->send_command(
        manager, MessageType::swarm_inspect, json::object(),
        [vms, base, done](Result<json> answer) mutable {
          if (!answer) {
            base["error"] = answer.error().message;
            return done(base);
          }
          json nodes = json::array();
          for (const auto& reported : protocol::json_array(*answer, {"nodes"})) {
            if (!reported.is_object()) continue;
            json node = reported;
            const std::string id = protocol::json_text(node, {"id"});
            node["vm"] = nullptr;
            for (const auto& vm : vms) {
              if (!vm.node_id.empty() && vm.node_id == id) node["vm"] = vm.name;
            }
            if (protocol::json_bool(node, {"leader"})) base["leader"] = node["vm"].is_null() ? json(id) : node["vm"];
            nodes.push_back(std::move(node));
          }
          base["nodes"] = nodes;
          done(base);
        },
        kCommandTimeout);
  });
}

}  // namespace phoenix::hub
