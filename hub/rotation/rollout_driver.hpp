#pragma once
// Runs fleet-wide rotations (issue 6): the I/O shell around plan_rollout_step. For each
// unfinished rotation it reads the stored record, asks the planner what to do, and does it:
// sends `rotate_docker_tls` to the agents it starts, records every transition in the store
// (so `GET /rotations/{id}` shows it and a restarted hub resumes it), and asks again after
// every answer, every agent (dis)connection and once a second (offline deadlines).
//
// Threading: everything runs on one strand of the executor given (in `serve`, the one-thread
// pool where store calls may block); start_rotation may be called from any thread.
#include "hub/agents/agent_registry.hpp"
#include "hub/agents/docker_trust.hpp"
#include "hub/rotation/rotation_request.hpp"
#include "hub/rotation/rollout_planner.hpp"
#include "hub/store/hub_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace phoenix::hub {

struct RolloutDriverOptions {
  std::chrono::seconds offline_deadline{3600};
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};  // one VM's whole apply
  std::chrono::milliseconds tick_interval{1000};
  int attempts_per_vm = 3;  // lost connections / timeouts before a VM counts as failed
  // SPEC: a newly enrolled agent whose dockerd answers but serves no Phoenix TLS yet gets it
  // at once, by a one-VM docker-tls rotation (once per hub run, so a failing VM cannot loop).
  bool auto_setup = true;
};

class RolloutDriver : public std::enable_shared_from_this<RolloutDriver> {
 public:
  // `trust` may be null (no docker-ca rotations then).
  RolloutDriver(boost::asio::any_io_executor executor, std::shared_ptr<HubStore> store,
                std::shared_ptr<AgentRegistry> registry, std::shared_ptr<DockerTrust> trust,
                RolloutDriverOptions options);

  // Resumes what the store has unfinished (targets left "running" by a stopped hub go back
  // to pending: agents answer a repeated rotation id from their record) and starts ticking.
  void start();
  void stop();

  // Validates, stores and starts a rotation; blocking (store). Returns the stored record.
  Result<RotationRecord> start_rotation(const RotationRequest& request);
  // docker-ca before its last phase: go back to the old CA (sign with it again, then drop the
  // new one), as a rollout of its own. Blocking. Errors: "rotation_not_found", "cannot_roll_back".
  Result<RotationRecord> roll_back(const std::string& id);

 private:
  struct InFlight {
    int attempts = 0;
    bool waiting = false;          // a command is out
    std::string agent_id;          // the rotation id the agent was given (docker-ca: per phase)
    std::string identity_from;     // identity: the serial being replaced, once the agent said yes
    std::chrono::steady_clock::time_point since{};
    std::chrono::steady_clock::time_point not_before{};  // the agent said busy: ask again after this
  };
  void schedule_tick();
  void pick_up_stored();  // once a tick: never per agent event
  void tick_all();        // no store access when no rotation is active
  void tick(const std::string& id);
  bool prepare_phase(RotationRecord& record);  // docker-ca: trust in force; false when it failed
  void check_identities(RotationRecord& record);
  void dispatch(const RotationRecord& record, RotationTargetRecord target);
  void on_answer(const std::string& id, const std::string& vm, const std::string& agent_id,
                 Result<nlohmann::json> answer);
  void finish_target(const std::string& id, RotationTargetRecord target, Result<std::string> new_serial);
  void maybe_set_up(const std::string& vm);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<HubStore> store_;
  std::shared_ptr<AgentRegistry> registry_;
  std::shared_ptr<DockerTrust> trust_;
  RolloutDriverOptions options_;
  boost::asio::steady_timer timer_;
  std::set<std::string> active_;                                  // unfinished rotation ids
  std::set<std::string> auto_started_;                            // VMs auto_setup already tried
  std::map<std::string, bool> managers_;  // swarm role last seen while the VM's dockerd answered
  std::map<std::pair<std::string, std::string>, InFlight> flights_;  // (rotation, vm)
  bool stopped_ = false;
};

}  // namespace phoenix::hub
