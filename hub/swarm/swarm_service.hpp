#pragma once
// Swarm membership through the agents (issue 7): `sync` plans with plan_swarm from what the
// agents report and carries the steps out one after another (swarm_init on the first manager,
// which answers with the join tokens, then swarm_join on the others), answering with a result
// per VM; `inspect` asks a manager for the nodes and shows every VM's desired and actual
// membership. With auto_join, a VM that connects outside an existing swarm is joined at once.
//
// Threading: one strand; at most one sync at a time (a sync asked for meanwhile runs after it).
#include "hub/agents/agent_registry.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/swarm/swarm_plan.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace phoenix::hub {

class SwarmService : public std::enable_shared_from_this<SwarmService> {
 public:
  using Done = std::function<void(nlohmann::json)>;

  SwarmService(boost::asio::any_io_executor executor, std::shared_ptr<AgentRegistry> registry,
               std::shared_ptr<HubStore> store, SwarmSettings settings);
  void start();  // auto_join watches agent changes

  // {"results":[{"vm","action","ok","changed","error"}],"waiting":[…],"role_mismatch":[…]}
  void sync(Done done);
  // {"leader":…,"nodes":[…],"vms":[{"vm","desired_role","role","state","node_id","in_sync"}],
  //  "drift":[…],"managers_desired":[…]}
  void inspect(Done done);
  // A VM that left the fleet (revoked, so no longer heard): a connected manager of the swarm
  // removes its node (by the node id the VM last reported), so the swarm shows no dead member
  // and no longer schedules onto it. {"removed":true|false, "node_id":…}.
  void remove(const std::string& vm, Done done);

 private:
  struct Run;
  std::vector<SwarmVm> observe();
  void begin_sync(Done done);
  void next_step(const std::shared_ptr<Run>& run);
  void prune(const std::shared_ptr<Run>& run);
  void remove_ghosts(const std::shared_ptr<Run>& run, const std::string& manager, std::vector<std::string> ghosts);
  void finish(const std::shared_ptr<Run>& run);
  void maybe_auto_join(const std::string& vm);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<AgentRegistry> registry_;
  std::shared_ptr<HubStore> store_;
  SwarmSettings settings_;
  bool running_ = false;
  std::vector<Done> queued_;  // syncs asked for while one runs
};

}  // namespace phoenix::hub
