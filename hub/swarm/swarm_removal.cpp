// SwarmService: removing a revoked VM's nodes (issue 13). The VM is no longer heard and its own
// reports are not evidence: a VM about to be revoked could have reported any node id, the
// manager's own included. What the hub knows is the address it saw the VM's channel come from,
// and what a configured manager knows is the address it sees each node at (Docker's
// Status.Addr, taken from the node's own connection to the manager). The nodes at that address
// are the VM's; an address two enrolled VMs were seen at proves nothing, and nothing is removed.
#include "hub/swarm/swarm_service.hpp"
#include "hub/swarm/swarm_trust.hpp"
#include "shared/core/log.hpp"
#include "shared/protocol/json_read.hpp"

#include <boost/asio/post.hpp>

namespace phoenix::hub {
namespace net = boost::asio;
using nlohmann::json;
using protocol::MessageType;

namespace {
constexpr const char* kLog = "swarm";
constexpr auto kCommandTimeout = std::chrono::seconds(90);
}  // namespace

void SwarmService::remove(const std::string& name, Done done) {
  net::post(strand_, [self = shared_from_this(), name, done = std::move(done)]() mutable {
    json result = {{"removed", false}, {"node_ids", json::array()}, {"why", nullptr}};
    const auto vms = self->observe();  // the enrolled VMs, the revoked one left out
    const auto manager = trusted_manager(desired_managers(self->settings_, vms), vms);
    auto addresses = self->store_->agent_addresses();
    if (!manager || !addresses) {
      result["why"] = !addresses ? "the hub cannot read the addresses it saw: " + addresses.error().message
                                 : std::string("no configured manager is connected and active");
      return done(result);
    }
    const std::string ip = addresses->count(name) != 0 ? addresses->at(name) : "";
    std::vector<std::string> others;
    for (const auto& vm : vms) {
      if (vm.name != name && !vm.address.empty()) others.push_back(vm.address);
    }
    self->registry_->send_command(
        *manager, MessageType::swarm_inspect, json::object(),
        [self, name, manager = *manager, ip, others, result, done](Result<json> answer) mutable {
          if (!answer) {
            result["why"] = manager + " could not list the swarm's nodes: " + answer.error().message;
            return done(result);
          }
          std::vector<SwarmNodeFact> nodes;
          for (const auto& node : protocol::json_array(*answer, {"nodes"})) {
            nodes.push_back({protocol::json_text(node, {"id"}), protocol::json_text(node, {"addr"}),
                             protocol::json_text(node, {"role"})});
          }
          const auto match = nodes_of_vm(nodes, ip, others, protocol::json_text(*answer, {"node_id"}));
          if (match.node_ids.empty()) {
            result["why"] = match.why;
            return done(result);
          }
          log::info(kLog, "removing the node(s) of " + name + " at " + ip + " through " + manager);
          net::post(self->strand_, [self, manager, ids = match.node_ids, result, done]() mutable {
            self->remove_nodes(manager, std::move(ids), std::move(result), std::move(done));
          });
        },
        kCommandTimeout);
  });
}

void SwarmService::remove_nodes(std::string manager, std::vector<std::string> ids, json result, Done done) {
  if (ids.empty()) return done(result);
  const std::string id = ids.back();
  ids.pop_back();
  registry_->send_command(
      manager, MessageType::swarm_remove_node, {{"node_id", id}},
      [self = shared_from_this(), manager, ids = std::move(ids), id, result, done](Result<json> answer) mutable {
        if (answer) {
          result["removed"] = true;
          result["node_ids"].push_back(id);
        } else {
          log::warning(kLog, "removing node " + id + " failed: " + answer.error().message);
          result["why"] = "removing node " + id + " failed: " + answer.error().message;
        }
        net::post(self->strand_, [self, manager, ids = std::move(ids), result, done]() mutable {
          self->remove_nodes(manager, std::move(ids), std::move(result), std::move(done));
        });
      },
      kCommandTimeout);
}

}  // namespace phoenix::hub
