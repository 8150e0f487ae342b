// SwarmService::remove after a revocation, with the real SQLite store and AgentRegistry and
// the configured manager's channel as a recording link (as the registry's own tests do): the
// revoked VM reported the manager's node id as its own, and the manager lists the nodes with
// the addresses it sees. Only the node at the address the hub saw the revoked VM at goes.
#include "hub/swarm/swarm_service.hpp"
#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace phoenix::hub {
namespace {
using nlohmann::json;
using protocol::MessageType;

const std::string kDigest = "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl";

// The configured manager's channel: answers swarm_inspect with the nodes it sees, records every
// command and answers the others with {"changed":true}.
class ManagerLink : public AgentLink {
 public:
  explicit ManagerLink(boost::asio::io_context& ioc) : ioc_(ioc) {}
  void close(std::uint16_t, std::string) override {}
  void send_command(MessageType type, json body, CommandCallback done, std::chrono::milliseconds) override {
    sent.emplace_back(type, body);
    json answer = {{"changed", true}};
    if (type == MessageType::swarm_inspect) {
      answer = {{"node_id", "m1"},
                {"nodes", json::array({{{"id", "m1"}, {"addr", "10.0.0.10"}, {"role", "manager"}, {"state", "ready"}},
                                       {{"id", "w2"}, {"addr", "10.0.0.11"}, {"role", "worker"}, {"state", "ready"}},
                                       {{"id", "w3"}, {"addr", "10.0.0.12"}, {"role", "worker"}, {"state", "down"}}})},
                {"join_tokens",
                 {{"worker", "SWMTKN-1-" + kDigest + "-1awxwuwd3z9j1z3puu7rcgdbx"},
                  {"manager", "SWMTKN-1-" + kDigest + "-2awxwuwd3z9j1z3puu7rcgdbx"}}}};
    }
    boost::asio::post(ioc_, [done = std::move(done), answer]() mutable { done(std::move(answer)); });
  }
  std::vector<std::pair<MessageType, json>> sent;

 private:
  boost::asio::io_context& ioc_;
};

json swarm_state(const std::string& node_id, bool manager) {
  return {{"swarm", {{"node_id", node_id}, {"state", "active"}, {"control_available", manager}}}};
}

TEST(SwarmRemoval, ARevokedVmsNodeIsTheOneAtItsAddressNotTheIdItReported) {
  testing::TempDir dir;
  std::shared_ptr<HubStore> store = HubStore::open(dir.file("hub.db")).value();
  const auto now = std::chrono::system_clock::now();
  for (const char* vm : {"vm1", "vm2", "vm3"}) ASSERT_TRUE(store->record_enrollment(vm, std::string("S") + vm, now, now));
  ASSERT_TRUE(store->set_last_state("vm1", swarm_state("m1", true), now));
  ASSERT_TRUE(store->set_last_state("vm2", swarm_state("w2", false), now));
  ASSERT_TRUE(store->set_last_state("vm3", swarm_state("m1", false), now));  // the lie: the manager's id
  ASSERT_TRUE(store->set_agent_address("vm1", "10.0.0.10", now));
  ASSERT_TRUE(store->set_agent_address("vm2", "10.0.0.11", now));
  ASSERT_TRUE(store->set_agent_address("vm3", "10.0.0.12", now));
  ASSERT_TRUE(store->revoke("vm3", now));

  boost::asio::io_context ioc;
  auto registry = std::make_shared<AgentRegistry>(ioc.get_executor(), store);
  auto manager = std::make_shared<ManagerLink>(ioc);
  registry->attach("vm1", manager, "Svm1", now, "10.0.0.10");
  registry->update_state("vm1", manager.get(), swarm_state("m1", true));

  SwarmSettings settings;
  settings.manager_names = {"vm1"};
  auto swarm = std::make_shared<SwarmService>(ioc.get_executor(), registry, store, settings);
  json result;
  swarm->remove("vm3", [&](json r) { result = std::move(r); });
  ioc.run();

  std::vector<std::string> removed;
  for (const auto& [type, body] : manager->sent) {
    if (type == MessageType::swarm_remove_node) removed.push_back(body.value("node_id", ""));
  }
  EXPECT_EQ(removed, (std::vector<std::string>{"w3"})) << result.dump();
  EXPECT_EQ(result.value("removed", false), true) << result.dump();
}

}  // namespace
}  // namespace phoenix::hub
