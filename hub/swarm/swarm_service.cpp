#include "hub/swarm/swarm_service.hpp"

#include "hub/swarm/swarm_trust.hpp"
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

SwarmVm observe_one(const std::string& name, bool connected, const json& state, std::string address = {}) {
  SwarmVm vm;
  vm.address = std::move(address);
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
  std::string manager_addr;  // the manager's channel IP as the hub saw it, :2377
  std::string refused;       // why the tokens were refused (no join is sent then)
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
  registry_->on_change([weak = weak_from_this()](const std::string&) {
    if (auto self = weak.lock()) net::post(self->strand_, [self] { self->maybe_auto_join(); });
  });
}

std::vector<SwarmVm> SwarmService::observe() {
  std::vector<SwarmVm> out;
  auto agents = store_->list_agents();
  if (!agents) return out;
  auto addresses = store_->agent_addresses();
  for (const auto& agent : *agents) {
    if (agent.revoked) continue;
    const auto live = registry_->find(agent.name);
    std::string address = live ? live->address : "";
    if (address.empty() && addresses && addresses->count(agent.name) != 0) address = addresses->at(agent.name);
    out.push_back(observe_one(agent.name, live.has_value(), live ? live->last_state : agent.last_state, address));
  }
  return out;
}

void SwarmService::maybe_auto_join() {
  if (running_) return;
  // Any change may be the one a waiting VM needs (its own report, or its manager's coming back):
  // every VM is weighed again, not just the one that changed.
  const auto vms = observe();
  const auto record = store_->swarm_record();
  std::string joining;
  for (const auto& vm : vms) {
    const auto decision = decide_auto_join(settings_, vms, vm.name, record && record->has_value());
    if (decision.join) {
      if (joining.empty()) joining = vm.name;
      auto_join_logged_.erase(vm.name);
      continue;
    }
    // Agents report every few seconds: each VM's reason is logged once, the latest shown in GET /swarm.
    if (decision.why.empty() || auto_join_logged_[vm.name] == decision.why) continue;
    log::notice(kLog, decision.why);
    auto_join_logged_[vm.name] = decision.why;
    auto_join_note_ = decision.why;
  }
  if (joining.empty()) return;
  auto_join_note_.clear();
  log::info(kLog, joining + " is outside the swarm: joining it (auto_join)");
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
    // Joins into the existing swarm: its tokens come from a configured manager (swarm_init is a
    // no-op there), never from a VM that merely says it manages a swarm.
    if (const auto manager = trusted_manager(run->plan.desired_managers, vms)) {
      run->plan.steps.insert(run->plan.steps.begin(), SwarmStep{SwarmAction::init, *manager});
    }
  }
  for (const auto& vm : run->plan.ignored_claims) {
    log::warning(kLog, vm + " reports itself a swarm manager but is not a configured one (swarm.managers): "
                            "ignored, and no VM is sent to its swarm");
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
      const std::string why = !run->refused.empty() ? run->refused : "no configured manager answered with join tokens";
      run->results.push_back(
          {{"vm", step.vm}, {"action", to_string(step.action)}, {"ok", false}, {"changed", false}, {"error", why}});
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
            if (step.action == SwarmAction::init) self->accept_tokens(run, step.vm, *answer);
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

void SwarmService::accept_tokens(const std::shared_ptr<Run>& run, const std::string& manager, const json& answer) {
  const std::string worker = protocol::json_text(answer, {"join_tokens", "worker"});
  const std::string manager_token = protocol::json_text(answer, {"join_tokens", "manager"});
  auto record = store_->swarm_record();
  if (!record) {
    run->refused = "the hub cannot read its swarm record: " + record.error().message;
    log::error(kLog, run->refused);
    return;
  }
  // A swarm this manager has just made (changed) is the hub's own: it replaces the record.
  const bool formed_now = protocol::json_bool(answer, {"changed"});
  const std::string anchored = *record && !formed_now ? (*record)->ca_digest : "";
  const auto verdict = check_join_tokens(worker, manager_token, anchored);
  if (!verdict.ok) {
    run->refused = manager + ": " + verdict.why;
    refused_ = run->refused;
    log::warning(kLog, "join tokens refused: " + run->refused);
    if (on_refusal) on_refusal({{"vm", manager}, {"refused", run->refused}});
    return;
  }
  if (anchored.empty()) {
    if (auto saved = store_->set_swarm_record({verdict.ca_digest, manager, std::chrono::system_clock::now()}); !saved) {
      run->refused = "the hub cannot record its swarm: " + saved.error().message;
      log::error(kLog, run->refused);
      return;
    }
    log::info(kLog, std::string(formed_now ? "formed" : "adopted") + " the swarm of " + manager +
                        " (root CA digest " + verdict.ca_digest.substr(0, 12) + "…): only its tokens are used");
  }
  const auto live = registry_->find(manager);
  run->manager_addr = swarm_join_address(live ? live->address : "");
  if (run->manager_addr.empty()) {
    run->refused = "the hub does not know the address of " + manager + "'s channel";
    return;
  }
  run->tokens = {{"worker", worker}, {"manager", manager_token}};
  refused_.clear();
}

void SwarmService::prune(const std::shared_ptr<Run>& run) {
  // Nodes a VM left behind when it lost its swarm state and joined again (a new node id):
  // down, and no VM reports them. The manager forgets them, so the swarm lists no ghosts.
  // Only in the recorded swarm, through a configured manager, and never after a refusal.
  const auto vms = observe();
  std::set<std::string> known;
  for (const auto& vm : vms) {
    if (!vm.node_id.empty()) known.insert(vm.node_id);
  }
  const auto trusted = trusted_manager(run->plan.desired_managers, vms);
  const auto record = store_->swarm_record();
  if (!trusted || !run->refused.empty() || !record || !*record) return finish(run);
  const std::string manager = *trusted;
  registry_->send_command(
      manager, MessageType::swarm_inspect, json::object(),
      [self = shared_from_this(), run, manager, known, anchored = (*record)->ca_digest](Result<json> answer) {
        std::vector<std::string> ghosts;
        const bool recorded_swarm =
            answer && check_join_tokens(protocol::json_text(*answer, {"join_tokens", "worker"}),
                                        protocol::json_text(*answer, {"join_tokens", "manager"}), anchored)
                          .ok;
        if (recorded_swarm) {
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
                       {"managers_desired", run->plan.desired_managers},
                       {"ignored_claims", claims_json(run->plan.ignored_claims)},
                       {"refused", run->refused.empty() ? json(nullptr) : json(run->refused)}};
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

json SwarmService::claims_json(const std::vector<std::string>& claims) const {
  json out = json::array();
  for (const auto& vm : claims) {
    out.push_back({{"vm", vm},
                   {"why", "reports itself a swarm manager but is not a configured one (swarm.managers): "
                           "its claim is ignored and no VM joins its swarm"}});
  }
  return out;
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
                 {"leader", nullptr}, {"ignored_claims", self->claims_json(ignored_manager_claims(desired, vms))},
                 {"refused", self->refused_.empty() ? json(nullptr) : json(self->refused_)},
                 {"record", nullptr},
                 {"auto_join", {{"enabled", self->settings_.auto_join},
                                {"note", self->auto_join_note_.empty() ? json(nullptr) : json(self->auto_join_note_)}}}};
    std::string anchored;
    if (auto record = self->store_->swarm_record(); record && *record) {
      anchored = (*record)->ca_digest;
      base["record"] = {{"ca_digest", anchored},
                        {"manager", (*record)->manager},
                        {"recorded_at", to_unix_seconds((*record)->recorded_at)}};
    }
    if (desired.empty()) {
      base["error"] = "no VM named in swarm.managers is enrolled: the hub asks no VM about the swarm";
    }
    const auto trusted = trusted_manager(desired, vms);
    if (!trusted) return done(base);
    const std::string manager = *trusted;
    self->registry_->send_command(
        manager, MessageType::swarm_inspect, json::object(),
        [vms, base, done, anchored, manager](Result<json> answer) mutable {
          if (!answer) {
            base["error"] = answer.error().message;
            return done(base);
          }
          const auto verdict = check_join_tokens(protocol::json_text(*answer, {"join_tokens", "worker"}),
                                                 protocol::json_text(*answer, {"join_tokens", "manager"}), anchored);
          if (!verdict.ok) base["refused"] = manager + ": " + verdict.why;
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
