// AgentRegistry with fake links: attach/replace/detach, snapshots and observers.
#include "hub/agents/agent_registry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace phoenix::hub {
namespace {

class FakeLink : public AgentLink {
 public:
  void close(std::uint16_t code, std::string) override { closed_with = code; }
  void send_command(protocol::MessageType, nlohmann::json, CommandCallback done,
                    std::chrono::milliseconds) override {
    done(nlohmann::json{{"ok", true}});
  }
  int closed_with = 0;
};

class AgentRegistryTest : public ::testing::Test {
 protected:
  boost::asio::io_context ioc;
  AgentRegistry registry{ioc.get_executor(), nullptr};
  StoreTime now = std::chrono::system_clock::now();
};

TEST_F(AgentRegistryTest, AttachReplaceAndDetach) {
  std::vector<std::string> changes;
  registry.on_change([&](const std::string& name) { changes.push_back(name); });
  auto first = std::make_shared<FakeLink>();
  auto second = std::make_shared<FakeLink>();
  EXPECT_EQ(registry.attach("vm1", first, "AA", now), nullptr);
  EXPECT_TRUE(registry.is_connected("vm1"));
  EXPECT_EQ(registry.attach("vm1", second, "AA", now), first);
  // The replaced session ending must not remove its successor.
  EXPECT_FALSE(registry.detach("vm1", first.get()));
  EXPECT_TRUE(registry.is_connected("vm1"));
  registry.update_state("vm1", second.get(), {{"vm", "vm1"}});
  EXPECT_EQ(registry.find("vm1")->last_state["vm"], "vm1");
  EXPECT_TRUE(registry.detach("vm1", second.get()));
  EXPECT_FALSE(registry.is_connected("vm1"));
  EXPECT_EQ(changes.size(), 4u);
}

TEST_F(AgentRegistryTest, ConnectedIsSortedAndCommandsReachTheLink) {
  auto a = std::make_shared<FakeLink>();
  auto b = std::make_shared<FakeLink>();
  registry.attach("vm2", b, "B", now);
  registry.attach("vm1", a, "A", now);
  auto list = registry.connected();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "vm1");
  EXPECT_EQ(list[1].cert_serial, "B");
  bool answered = false;
  registry.send_command("vm1", protocol::MessageType::renew_identity, {},
                        [&](Result<nlohmann::json> r) { answered = r.has_value(); });
  EXPECT_TRUE(answered);
}

TEST_F(AgentRegistryTest, CommandToAnAbsentAgentFailsAsynchronously) {
  std::optional<Error> error;
  registry.send_command("ghost", protocol::MessageType::renew_identity, {},
                        [&](Result<nlohmann::json> r) { error = r.error(); });
  EXPECT_FALSE(error);  // never inside the caller's stack
  ioc.run();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "agent_not_connected");
}

TEST_F(AgentRegistryTest, PreviousSerialIsForgottenOnceTheNewOneConnects) {
  auto link = std::make_shared<FakeLink>();
  registry.remember_previous_serial("vm1", "OLD");
  EXPECT_TRUE(registry.is_previous_serial("vm1", "OLD"));
  registry.attach("vm1", link, "OLD", now);
  EXPECT_TRUE(registry.is_previous_serial("vm1", "OLD"));
  registry.attach("vm1", link, "NEW", now);
  EXPECT_FALSE(registry.is_previous_serial("vm1", "OLD"));
}

TEST_F(AgentRegistryTest, ExpiredLinksAreNotReported) {
  {
    auto link = std::make_shared<FakeLink>();
    registry.attach("vm1", link, "A", now);
  }
  EXPECT_TRUE(registry.links().empty());
}

}  // namespace
}  // namespace phoenix::hub
