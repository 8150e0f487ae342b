#include "hub/rotation/rollout_driver.hpp"

#include "hub/rotation/ca_rotation_plan.hpp"
#include "shared/core/log.hpp"
#include "shared/protocol/json_read.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace phoenix::hub {
namespace net = boost::asio;
using nlohmann::json;

namespace {
constexpr const char* kLog = "rotation";
constexpr auto kCaLifetime = std::chrono::hours(24 * 365 * 10);

std::string text_at(const json& object, std::initializer_list<const char*> path) {
  return protocol::json_text(object, path);
}

bool is_manager(const json& state) { return protocol::json_bool(state, {"swarm", "control_available"}); }

bool docker_reachable(const json& state) { return protocol::json_bool(state, {"docker", "reachable"}); }

const CaPhase* current_phase(const RotationRecord& record) {
  const auto phases = ca_plan(record.plan);
  if (record.phase < 0 || static_cast<std::size_t>(record.phase) >= phases.size()) return nullptr;
  return &phases[static_cast<std::size_t>(record.phase)];
}
}  // namespace

RolloutDriver::RolloutDriver(net::any_io_executor executor, std::shared_ptr<HubStore> store,
                             std::shared_ptr<AgentRegistry> registry, std::shared_ptr<DockerTrust> trust,
                             RolloutDriverOptions options)
    : strand_(net::make_strand(executor)),
      store_(std::move(store)),
      registry_(std::move(registry)),
      trust_(std::move(trust)),
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
  auto record = make_rotation_record(request, *store_, trust_.get(), new_rotation_id(now), now);
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

Result<RotationRecord> RolloutDriver::roll_back(const std::string& id) {
  auto loaded = store_->get_rotation(id);
  if (!loaded) return loaded.error();
  if (!*loaded) return make_error("rotation_not_found", "no rotation with id \"" + id + "\" (see GET /rotations)");
  const RotationRecord& record = **loaded;
  if (record.kind != "docker-ca" || !can_roll_back(record.plan, record.phase)) {
    return make_error("cannot_roll_back", "only a docker-ca rotation that has not started dropping the old CA "
                                          "can be rolled back; this one is " + record.kind +
                                          (record.plan.empty() ? std::string() : ", " + record.plan + " phase " +
                                                                                    std::to_string(record.phase)));
  }
  if (auto moved = store_->start_rotation_phase(id, std::string(kRollbackPlan), 0); !moved) return moved.error();
  log::notice(kLog, "rotation " + id + ": rolling back to the docker CA " + record.old_ca);
  net::post(strand_, [self = shared_from_this(), id] {
    for (auto it = self->flights_.begin(); it != self->flights_.end();) {
      it = it->first.first == id ? self->flights_.erase(it) : std::next(it);
    }
    self->active_.insert(id);
    self->tick(id);
  });
  auto again = store_->get_rotation(id);
  if (!again || !*again) return make_error("rotation_not_found", "rotation " + id + " vanished");
  return **again;
}

void RolloutDriver::maybe_set_up(const std::string& vm) {
  if (!options_.auto_setup || stopped_ || auto_started_.count(vm) != 0) return;
  const auto live = registry_->find(vm);
  if (!live || !live->last_state.is_object()) return;
  const json& state = live->last_state;
  const bool reachable = docker_reachable(state);
  const auto* server_cert = protocol::json_at(state, {"certs", "docker_server"});
  const bool has_tls = server_cert != nullptr && server_cert->is_object();
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

bool RolloutDriver::prepare_phase(RotationRecord& record) {
  const CaPhase* phase = current_phase(record);
  std::string problem;
  if (!trust_) problem = "the hub's docker CA is not available";
  if (problem.empty() && !phase) problem = "unknown phase " + std::to_string(record.phase) + " of plan " + record.plan;
  if (problem.empty() && !trust_->has_ca(record.new_ca)) {
    if (auto made = trust_->create_ca(record.new_ca, kCaLifetime); !made) problem = made.error().message;
  }
  if (problem.empty()) {
    if (auto set = trust_->set(trust_for_phase(*phase, record.old_ca, record.new_ca)); !set) {
      problem = set.error().message;
    }
  }
  if (problem.empty()) return true;
  log::error(kLog, "rotation " + record.id + ": " + problem);
  (void)store_->set_rotation_outcome(record.id, RolloutOutcome::halted, problem, std::chrono::system_clock::now());
  active_.erase(record.id);
  return false;
}

void RolloutDriver::check_identities(RotationRecord& record) {
  for (auto& target : record.targets) {
    if (target.state != TargetState::running) continue;
    auto& flight = flights_[{record.id, target.vm}];
    if (flight.waiting || flight.identity_from.empty()) continue;
    const auto live = registry_->find(target.vm);
    if (live && !live->cert_serial.empty() && live->cert_serial != flight.identity_from) {
      // Back on the channel with a new identity: renewed and moved to it.
      flight.identity_from.clear();
      finish_target(record.id, target, live->cert_serial);
      target.state = TargetState::done;
    } else if (std::chrono::steady_clock::now() - flight.since > options_.command_timeout) {
      flight.identity_from.clear();
      finish_target(record.id, target,
                    make_error("identity_not_renewed", "the agent did not come back with a new identity in time"));
      target.state = TargetState::failed;
    }
  }
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
  if (record.finished_at) {
    active_.erase(id);
    return;
  }
  if (record.kind == "docker-ca" && !prepare_phase(record)) return;
  if (record.kind == "identity") check_identities(record);

  const auto now = std::chrono::system_clock::now();
  RolloutInput input;
  input.age = std::chrono::duration_cast<std::chrono::seconds>(now - record.created_at);
  // Who is a swarm manager. A restarting dockerd reports no swarm, and a restarted one is
  // "pending" for a while: only a settled answer (active or inactive, dockerd up) changes what
  // is known, and a VM being rotated right now keeps counting as the manager it was.
  if (auto agents = store_->list_agents()) {
    for (const auto& agent : *agents) {
      if (agent.revoked) {
        managers_.erase(agent.name);
        continue;
      }
      const auto live = registry_->find(agent.name);
      const json& state = live ? live->last_state : agent.last_state;
      const bool reachable = docker_reachable(state);
      const std::string swarm_state = text_at(state, {"swarm", "state"});
      if (!reachable || (swarm_state != "active" && swarm_state != "inactive")) continue;
      const bool rotating = std::any_of(record.targets.begin(), record.targets.end(), [&](const RotationTargetRecord& t) {
        return t.vm == agent.name && t.state == TargetState::running;
      });
      if (rotating && managers_[agent.name]) continue;
      managers_[agent.name] = is_manager(state);
    }
  }
  for (const auto& entry : managers_) {  // not a structured binding: clang 14 cannot capture one
    const std::string& vm = entry.first;
    if (!entry.second) continue;
    ++input.swarm_managers;
    // An init-capture: clang 14 cannot capture a structured binding itself.
    const bool rotating_here = std::any_of(record.targets.begin(), record.targets.end(),
                                           [&, &vm = vm](const RotationTargetRecord& t) {
      return t.vm == vm && t.state == TargetState::running;
    });
    // An offline manager already uses up part of raft's tolerance.
    if (!rotating_here && !registry_->is_connected(vm)) ++input.swarm_managers_down;
  }
  for (const auto& target : record.targets) {
    const bool online = registry_->is_connected(target.vm);
    const auto known = managers_.find(target.vm);
    input.targets.push_back(
        RolloutTarget{target.vm, target.state, online, known != managers_.end() && known->second});
  }
  RolloutPolicy policy;
  policy.max_parallel = record.max_parallel;
  policy.max_failures = record.max_failures;
  policy.offline_deadline = options_.offline_deadline;
  RolloutStep step = plan_rollout_step(input, policy);

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
      if (target.vm == vm) dispatch(record, target);
    }
  }

  if (record.kind == "docker-ca" && step.finished && step.outcome == RolloutOutcome::completed) {
    // A skipped VM (offline past the deadline) did not get this phase's trust either: moving
    // on would leave it behind, and dropping the old CA would cut it off.
    const bool any_failed = std::any_of(record.targets.begin(), record.targets.end(), [](const RotationTargetRecord& t) {
      return t.state == TargetState::failed || t.state == TargetState::skipped;
    });
    const auto phases = ca_plan(record.plan);
    if (any_failed) {
      // Moving on would leave the failed VM behind on the trust it has.
      step.outcome = RolloutOutcome::halted;
      step.reason = "a VM failed or was skipped in phase " +
                    std::string(phases[static_cast<std::size_t>(record.phase)].name) +
                    (can_roll_back(record.plan, record.phase) ? ": roll back (POST /rotations/{id}/rollback), fix the VM, "
                                                                "then start a new docker-ca rotation"
                                                              : ": fix the VM; it may need a docker-tls rotation");
    } else if (static_cast<std::size_t>(record.phase) + 1 < phases.size()) {
      const auto next = phases[static_cast<std::size_t>(record.phase) + 1];
      log::notice(kLog, "rotation " + id + ": phase " + std::string(phases[static_cast<std::size_t>(record.phase)].name) +
                            " done on every VM; next: " + std::string(next.name));
      (void)store_->start_rotation_phase(id, record.plan, record.phase + 1);
      for (auto it = flights_.begin(); it != flights_.end();) {
        it = it->first.first == id ? flights_.erase(it) : std::next(it);
      }
      net::post(strand_, [self = shared_from_this(), id] { self->tick(id); });
      return;
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

void RolloutDriver::dispatch(const RotationRecord& record, RotationTargetRecord target) {
  auto& flight = flights_[{record.id, target.vm}];
  if (flight.waiting || std::chrono::steady_clock::now() < flight.not_before) return;
  flight.waiting = true;
  flight.since = std::chrono::steady_clock::now();
  ++flight.attempts;
  const auto live = registry_->find(target.vm);
  target.state = TargetState::running;
  if (!target.started_at) target.started_at = std::chrono::system_clock::now();
  target.error.clear();

  protocol::MessageType command = protocol::MessageType::rotate_docker_tls;
  json body;
  if (record.kind == "identity") {
    command = protocol::MessageType::renew_identity;
    body = json::object();
    if (target.old_serial.empty() && live) target.old_serial = live->cert_serial;
    flight.agent_id = "identity";
  } else {
    const CaPhase* phase = current_phase(record);
    flight.agent_id = phase ? phase_rotation_id(record.id, *phase) : record.id;
    body = {{"rotation_id", flight.agent_id}};
    if (target.old_serial.empty() && live) {
      target.old_serial = text_at(live->last_state, {"certs", "docker_server", "serial"});
    }
  }
  (void)store_->update_rotation_target(record.id, target);
  log::info(kLog, "rotation " + record.id + ": " + target.vm + " (" + flight.agent_id + ", attempt " +
                      std::to_string(flight.attempts) + ")");
  registry_->send_command(
      target.vm, command, std::move(body),
      [weak = weak_from_this(), id = record.id, vm = target.vm, agent_id = flight.agent_id](Result<json> answer) {
        if (auto self = weak.lock()) {
          net::post(self->strand_, [self, id, vm, agent_id, answer = std::move(answer)]() mutable {
            self->on_answer(id, vm, agent_id, std::move(answer));
          });
        }
      },
      options_.command_timeout);
}

void RolloutDriver::finish_target(const std::string& id, RotationTargetRecord target, Result<std::string> new_serial) {
  target.finished_at = std::chrono::system_clock::now();
  if (new_serial) {
    target.state = TargetState::done;
    target.new_serial = *new_serial;
    log::notice(kLog, "rotation " + id + ": " + target.vm + " done, serial " + target.new_serial);
  } else {
    target.state = TargetState::failed;
    target.error = new_serial.error().code + ": " + new_serial.error().message;
    log::error(kLog, "rotation " + id + ": " + target.vm + " failed: " + target.error);
  }
  if (auto stored = store_->update_rotation_target(id, target); !stored) {
    log::error(kLog, "cannot record rotation " + id + " of " + target.vm + ": " + stored.error().to_string());
  }
}

void RolloutDriver::on_answer(const std::string& id, const std::string& vm, const std::string& agent_id,
                              Result<json> answer) {
  const auto found = flights_.find({id, vm});
  if (found == flights_.end()) return;  // the rotation finished or moved on meanwhile
  auto& flight = found->second;
  if (flight.agent_id != agent_id) return;  // an answer from before a phase change or rollback
  flight.waiting = false;
  auto loaded = store_->get_rotation(id);
  if (!loaded || !*loaded) return;
  for (auto target : (*loaded)->targets) {
    if (target.vm != vm || target.state != TargetState::running) continue;
    if (answer && (*loaded)->kind == "identity") {
      flight.identity_from = target.old_serial;  // done once it is back with another serial
      flight.since = std::chrono::steady_clock::now();
    } else if (answer) {
      const std::string old_serial = text_at(*answer, {"old_serial"});
      if (!old_serial.empty()) target.old_serial = old_serial;
      finish_target(id, target, text_at(*answer, {"new_serial"}));
    } else {
      const auto& code = answer.error().code;
      const bool lost = code == "agent_disconnected" || code == "agent_not_connected" || code == "command_timeout";
      if (code == "rotation_busy" || (lost && flight.attempts < options_.attempts_per_vm)) {
        // Another rotation is applying on that VM, or the agent went away and may still
        // finish: ask again (it answers a repeated id from its record). Busy is no attempt.
        if (code == "rotation_busy") {
          --flight.attempts;
          flight.not_before = std::chrono::steady_clock::now() + std::chrono::seconds(2);  // no ping-pong
        }
        target.state = TargetState::pending;
        target.error = answer.error().message + " (will retry)";
        (void)store_->update_rotation_target(id, target);
        log::warning(kLog, "rotation " + id + ": " + vm + ": " + answer.error().message + "; will retry");
      } else {
        finish_target(id, target, answer.error());
      }
    }
  }
  tick(id);
}

}  // namespace phoenix::hub
