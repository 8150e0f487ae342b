#pragma once
// Swarm membership through the agents (issue 7): `sync` plans with plan_swarm from what the
// agents report and carries the steps out one after another (swarm_init on the first manager,
// which answers with the join tokens, then swarm_join on the others), answering with a result
// per VM; `inspect` asks a manager for the nodes and shows every VM's desired and actual
// membership. With auto_join, a VM that connects outside the swarm the hub recorded is joined
// at once (never a new or adopted swarm: see decide_auto_join).
//
// Trust (issue 13): only configured managers are asked to init, inspect or hand out tokens; the
// join address is the IP the hub saw the manager's channel come from; tokens must carry the root
// CA digest recorded in the store (set when the hub forms the swarm, or first adopts one, on a
// configured manager); a revoked VM's node is found by the address the hub saw, not its word.
//
// Threading: one strand; at most one sync at a time (a sync asked for meanwhile runs after it).
#include "hub/agents/agent_registry.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/swarm/swarm_plan.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
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

  // {"results":[{"vm","action","ok","changed","error"}],"waiting":[…],"role_mismatch":[…],
  //  "ignored_claims":[{"vm","why"}],"refused":null|why}
  void sync(Done done);
  // {"leader":…,"nodes":[…],"vms":[{"vm","desired_role","role","state","node_id","in_sync"}],
  //  "drift":[…],"managers_desired":[…],"ignored_claims":[…],"record":null|{…},"refused":…,
  //  "auto_join":{"enabled","note"}}
  void inspect(Done done);
  // A VM that left the fleet (revoked, so no longer heard): a connected configured manager
  // removes the nodes at the address the hub last saw the VM's channel come from, so the swarm
  // shows no dead member and no longer schedules onto it. {"removed":bool,"node_ids":[…],"why"}.
  void remove(const std::string& vm, Done done);

  // Called (on the service's strand) when the hub refuses a manager's join tokens, with
  // {"vm","refused"}: serve announces it on /events.
  std::function<void(const nlohmann::json&)> on_refusal;

 private:
  struct Run;
  std::vector<SwarmVm> observe();
  void begin_sync(Done done);
  void next_step(const std::shared_ptr<Run>& run);
  void prune(const std::shared_ptr<Run>& run);
  void remove_ghosts(const std::shared_ptr<Run>& run, const std::string& manager, std::vector<std::string> ghosts);
  void finish(const std::shared_ptr<Run>& run);
  void maybe_auto_join();  // weighs every VM: see decide_auto_join
  void accept_tokens(const std::shared_ptr<Run>& run, const std::string& manager, const nlohmann::json& answer);
  void remove_nodes(std::string manager, std::vector<std::string> ids, nlohmann::json result, Done done);
  nlohmann::json claims_json(const std::vector<std::string>& claims) const;

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<AgentRegistry> registry_;
  std::shared_ptr<HubStore> store_;
  SwarmSettings settings_;
  bool running_ = false;
  std::vector<Done> queued_;  // syncs asked for while one runs
  std::string refused_;          // why the last tokens were refused; empty once some pass
  std::string auto_join_note_;   // why auto_join last did nothing
  std::map<std::string, std::string> auto_join_logged_;  // VM -> the reason last logged for it
};

}  // namespace phoenix::hub
