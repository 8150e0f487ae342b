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

struct RotationRequest {
  std::string kind = "docker-tls";
  std::vector<std::string> vms;  // empty: every enrolled, unrevoked agent
  int max_parallel = 1;
  int max_failures = 0;
};

struct RolloutDriverOptions {
  std::chrono::seconds offline_deadline{3600};
  std::chrono::milliseconds command_timeout{std::chrono::minutes(5)};  // one VM's whole apply
  std::chrono::milliseconds tick_interval{1000};
  int attempts_per_vm = 3;  // lost connections / timeouts before a VM counts as failed
  // SPEC: a newly enrolled agent whose dockerd answers but serves no Phoenix TLS yet gets it
  // at once, by a one-VM docker-tls rotation (once per hub run, so a failing VM cannot loop).
  bool auto_setup = true;
};

// Checks a request against the fleet (blocking: reads the store). Errors: "invalid_request",
// "kind_not_supported", "agent_not_found", "no_targets".
Result<RotationRecord> make_rotation_record(const RotationRequest& request, HubStore& store, std::string id,
                                            StoreTime now);

// "rot-<unix seconds>-<8 random hex>".
std::string new_rotation_id(StoreTime now);

class RolloutDriver : public std::enable_shared_from_this<RolloutDriver> {
 public:
  RolloutDriver(boost::asio::any_io_executor executor, std::shared_ptr<HubStore> store,
                std::shared_ptr<AgentRegistry> registry, RolloutDriverOptions options);

  // Resumes what the store has unfinished (targets left "running" by a stopped hub go back
  // to pending: agents answer a repeated rotation id from their record) and starts ticking.
  void start();
  void stop();

  // Validates, stores and starts a rotation; blocking (store). Returns the stored record.
  Result<RotationRecord> start_rotation(const RotationRequest& request);

 private:
  struct InFlight {
    int attempts = 0;
    bool waiting = false;  // a command is out
  };
  void schedule_tick();
  void pick_up_stored();  // once a tick: never per agent event
  void tick_all();        // no store access when no rotation is active
  void tick(const std::string& id);
  void dispatch(const std::string& id, RotationTargetRecord target);
  void on_answer(const std::string& id, const std::string& vm, Result<nlohmann::json> answer);
  void maybe_set_up(const std::string& vm);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<HubStore> store_;
  std::shared_ptr<AgentRegistry> registry_;
  RolloutDriverOptions options_;
  boost::asio::steady_timer timer_;
  std::set<std::string> active_;                                  // unfinished rotation ids
  std::set<std::string> auto_started_;                            // VMs auto_setup already tried
  std::map<std::pair<std::string, std::string>, InFlight> flights_;  // (rotation, vm)
  bool stopped_ = false;
};

}  // namespace phoenix::hub
