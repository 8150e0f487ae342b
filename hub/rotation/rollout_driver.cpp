#include "hub/rotation/rollout_driver.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <random>

namespace phoenix::hub {
namespace net = boost::asio;
using nlohmann::json;

namespace {
constexpr const char* kLog = "rotation";

std::string text_at(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return {};
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}

bool is_manager(const json& state) {
  const auto swarm = state.is_object() ? state.find("swarm") : state.end();
  if (!state.is_object() || swarm == state.end() || !swarm->is_object()) return false;
  const auto control = swarm->find("control_available");
  return control != swarm->end() && control->is_boolean() && control->get<bool>();
}

}  // namespace

std::string new_rotation_id(StoreTime now) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random() & 0xffffffffu));
  return "rot-" + std::to_string(to_unix_seconds(now)) + "-" + suffix;
}

Result<RotationRecord> make_rotation_record(const RotationRequest& request, HubStore& store, std::string id,
                                            StoreTime now) {
  if (request.kind == "docker-ca" || request.kind == "identity") {
    return make_error("kind_not_supported", "rotation kind \"" + request.kind +
                                                "\" is not available in this build yet; docker-tls is");
  }
  if (request.kind != "docker-tls") {
    return make_error("invalid_request", "kind must be docker-tls, docker-ca or identity");
  }
  if (request.max_parallel < 1 || request.max_parallel > 1000) {
    return make_error("invalid_request", "max_parallel must be 1..1000");
  }
  if (request.max_failures < 0 || request.max_failures > 100000) {
    return make_error("invalid_request", "max_failures must be 0 or more");
  }
  auto agents = store.list_agents();
  if (!agents) return agents.error();
  std::vector<std::string> vms;
  if (request.vms.empty()) {
    for (const auto& agent : *agents) {
      if (!agent.revoked) vms.push_back(agent.name);
    }
  } else {
    for (const auto& vm : request.vms) {
      const auto found = std::find_if(agents->begin(), agents->end(), [&](const AgentRecord& a) { return a.name == vm; });
      if (found == agents->end() || found->revoked) {
        return make_error("agent_not_found", "\"" + vm + "\" has no enrolled agent (see GET /agents)");
      }
      if (std::find(vms.begin(), vms.end(), vm) != vms.end()) {
        return make_error("invalid_request", "\"" + vm + "\" is listed twice in vms");
      }
      vms.push_back(vm);
    }
  }
  if (vms.empty()) return make_error("no_targets", "no enrolled agent to rotate: enroll VMs first");
  RotationRecord record;
  record.id = std::move(id);
  record.kind = request.kind;
  record.max_parallel = request.max_parallel;
  record.max_failures = request.max_failures;
  record.created_at = now;
  for (auto& vm : vms) record.targets.push_back(RotationTargetRecord{.vm = std::move(vm)});
  return record;
}

RolloutDriver::RolloutDriver(net::any_io_executor executor, std::shared_ptr<HubStore> store,
                             std::shared_ptr<AgentRegistry> registry, RolloutDriverOptions options)
    : strand_(net::make_strand(executor)),
      store_(std::move(store)),
      registry_(std::move(registry)),
      options_(options),
      timer_(strand_) {}

void RolloutDriver::start() {
  registry_->on_change([weak = weak_from_this()](const std::string& vm) {
    if (auto self = weak.lock()) {
      net::post(self->strand_, [self, vm] {
        self->maybe_set_up(vm);
        self->tick_all();
      });
    }
  });
  net::post(strand_, [self = shared_from_this()] {
    auto ids = self->store_->unfinished_rotations();
    if (!ids) {
      log::error(kLog, "cannot read unfinished rotations: " + ids.error().to_string());
    } else {
      for (const auto& id : *ids) {
        auto record = self->store_->get_rotation(id);
        if (!record || !*record) continue;
        for (auto target : (*record)->targets) {
          if (target.state != TargetState::running) continue;
          target.state = TargetState::pending;  // the agent answers a repeated id from its record
          (void)self->store_->update_rotation_target(id, target);
        }
        log::notice(kLog, "resuming rotation " + id);
        self->active_.insert(id);
      }
    }
    self->tick_all();
    self->schedule_tick();
  });
}

void RolloutDriver::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

Result<RotationRecord> RolloutDriver::start_rotation(const RotationRequest& request) {
  const auto now = std::chrono::system_clock::now();
  auto record = make_rotation_record(request, *store_, new_rotation_id(now), now);
  if (!record) return record.error();
  if (auto stored = store_->create_rotation(*record); !stored) return stored.error();
  log::notice(kLog, "rotation " + record->id + " (" + record->kind + ") of " + std::to_string(record->targets.size()) +
                        " VM(s), max_parallel " + std::to_string(record->max_parallel) + ", max_failures " +
                        std::to_string(record->max_failures));
  net::post(strand_, [self = shared_from_this(), id = record->id] {
    self->active_.insert(id);
    self->tick(id);
  });
  return record;
}

void RolloutDriver::maybe_set_up(const std::string& vm) {
  if (!options_.auto_setup || stopped_ || auto_started_.count(vm) != 0) return;
  const auto live = registry_->find(vm);
  if (!live || !live->last_state.is_object()) return;
  const json& state = live->last_state;
  const bool reachable = state.contains("docker") && state["docker"].is_object() &&
                         state["docker"].value("reachable", false);
  const bool has_tls = state.contains("certs") && state["certs"].is_object() &&
                       state["certs"].contains("docker_server") && state["certs"]["docker_server"].is_object();
  if (!reachable || has_tls) return;
  auto_started_.insert(vm);
  RotationRequest request;
  request.vms = {vm};
  auto started = start_rotation(request);
  if (!started) {
    log::warning(kLog, "cannot set up docker TLS on " + vm + ": " + started.error().to_string());
    return;
  }
  log::notice(kLog, vm + "'s dockerd serves no Phoenix TLS yet: setting it up (rotation " + started->id + ")");
}

void RolloutDriver::schedule_tick() {
  if (stopped_) return;
  timer_.expires_after(options_.tick_interval);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    self->pick_up_stored();
    self->tick_all();
    self->schedule_tick();
  });
}

void RolloutDriver::pick_up_stored() {
  // Rotations `phoenix-hub rotate` wrote into the store from another process.
  if (auto stored = store_->unfinished_rotations()) {
    for (const auto& id : *stored) {
      if (active_.insert(id).second) log::notice(kLog, "picked up rotation " + id + " from the store");
    }
  }
}

void RolloutDriver::tick_all() {
  const std::vector<std::string> ids(active_.begin(), active_.end());
  for (const auto& id : ids) tick(id);
}

void RolloutDriver::tick(const std::string& id) {
  if (stopped_) return;
  auto loaded = store_->get_rotation(id);
  if (!loaded || !*loaded) {
    if (!loaded) log::error(kLog, "cannot read rotation " + id + ": " + loaded.error().to_string());
    active_.erase(id);
    return;
  }
  RotationRecord& record = **loaded;
  const auto now = std::chrono::system_clock::now();
  RolloutInput input;
  input.age = std::chrono::duration_cast<std::chrono::seconds>(now - record.created_at);
  auto agents = store_->list_agents();
  for (const auto& target : record.targets) {
    const auto live = registry_->find(target.vm);
    json state = live ? live->last_state : json();
    if (state.is_null() && agents) {
      for (const auto& agent : *agents) {
        if (agent.name == target.vm) state = agent.last_state;
      }
    }
    RolloutTarget planned{target.vm, target.state, live.has_value(), is_manager(state)};
    input.targets.push_back(planned);
  }
  if (agents) {
    for (const auto& agent : *agents) {
      const auto live = registry_->find(agent.name);
      if (is_manager(live ? live->last_state : agent.last_state)) ++input.swarm_managers;
    }
  }
  RolloutPolicy policy;
  policy.max_parallel = record.max_parallel;
  policy.max_failures = record.max_failures;
  policy.offline_deadline = options_.offline_deadline;
  const RolloutStep step = plan_rollout_step(input, policy);

  for (const auto& vm : step.skip) {
    for (auto target : record.targets) {
      if (target.vm != vm) continue;
      target.state = TargetState::skipped;
      target.finished_at = now;
      target.error = "the agent stayed offline past the rotation's deadline";
      (void)store_->update_rotation_target(id, target);
      log::warning(kLog, "rotation " + id + ": " + vm + " skipped (offline past the deadline)");
    }
  }
  for (const auto& vm : step.start) {
    for (const auto& target : record.targets) {
      if (target.vm == vm) dispatch(id, target);
    }
  }
  if (step.outcome != record.outcome || step.reason != record.reason || step.finished) {
    const std::optional<StoreTime> finished = step.finished ? std::optional<StoreTime>(now) : std::nullopt;
    if (auto stored = store_->set_rotation_outcome(id, step.outcome, step.reason, finished); !stored) {
      log::error(kLog, "cannot record rotation " + id + ": " + stored.error().to_string());
    }
  }
  if (step.finished) {
    log::notice(kLog, "rotation " + id + " " + std::string(to_string(step.outcome)) +
                          (step.reason.empty() ? std::string() : ": " + step.reason));
    active_.erase(id);
    for (auto it = flights_.begin(); it != flights_.end();) {
      it = it->first.first == id ? flights_.erase(it) : std::next(it);
    }
  }
}

void RolloutDriver::dispatch(const std::string& id, RotationTargetRecord target) {
  auto& flight = flights_[{id, target.vm}];
  if (flight.waiting) return;
  flight.waiting = true;
  ++flight.attempts;
  const auto live = registry_->find(target.vm);
  target.state = TargetState::running;
  if (!target.started_at) target.started_at = std::chrono::system_clock::now();
  if (target.old_serial.empty() && live) {
    target.old_serial = text_at(live->last_state, {"certs", "docker_server", "serial"});
  }
  target.error.clear();
  (void)store_->update_rotation_target(id, target);
  log::info(kLog, "rotation " + id + ": rotating " + target.vm + " (attempt " + std::to_string(flight.attempts) + ")");
  registry_->send_command(
      target.vm, protocol::MessageType::rotate_docker_tls, {{"rotation_id", id}},
      [weak = weak_from_this(), id, vm = target.vm](Result<json> answer) {
        if (auto self = weak.lock()) {
          net::post(self->strand_, [self, id, vm, answer = std::move(answer)]() mutable {
            self->on_answer(id, vm, std::move(answer));
          });
        }
      },
      options_.command_timeout);
}

void RolloutDriver::on_answer(const std::string& id, const std::string& vm, Result<json> answer) {
  auto& flight = flights_[{id, vm}];
  flight.waiting = false;
  auto loaded = store_->get_rotation(id);
  if (!loaded || !*loaded) return;
  for (auto target : (*loaded)->targets) {
    if (target.vm != vm) continue;
    const auto now = std::chrono::system_clock::now();
    if (answer) {
      target.state = TargetState::done;
      target.finished_at = now;
      const std::string old_serial = text_at(*answer, {"old_serial"});
      if (!old_serial.empty()) target.old_serial = old_serial;
      target.new_serial = text_at(*answer, {"new_serial"});
      log::notice(kLog, "rotation " + id + ": " + vm + " done, serial " + target.new_serial);
    } else {
      const auto& code = answer.error().code;
      const bool lost = code == "agent_disconnected" || code == "agent_not_connected" || code == "command_timeout";
      if (code == "rotation_busy") {
        // Another rotation is applying on that VM right now: wait for it, without using up
        // an attempt (the next tick asks again).
        --flight.attempts;
        target.state = TargetState::pending;
        target.error = answer.error().message + " (waiting)";
      } else if (lost && flight.attempts < options_.attempts_per_vm) {
        // The agent may still finish: the same id is sent again once it is back, and it
        // answers from its record.
        target.state = TargetState::pending;
        target.error = answer.error().message + " (will retry)";
        log::warning(kLog, "rotation " + id + ": " + vm + ": " + answer.error().message + "; will retry");
      } else {
        target.state = TargetState::failed;
        target.finished_at = now;
        target.error = code + ": " + answer.error().message;
        log::error(kLog, "rotation " + id + ": " + vm + " failed: " + target.error);
      }
    }
    if (auto stored = store_->update_rotation_target(id, target); !stored) {
      log::error(kLog, "cannot record rotation " + id + " of " + vm + ": " + stored.error().to_string());
    }
  }
  tick(id);
}

}  // namespace phoenix::hub
