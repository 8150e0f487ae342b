// The swarm trust tables (migration 3): the recorded swarm and the addresses agents came from.
#include "hub/store/hub_store.hpp"

#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

const StoreTime kT0 = from_unix_seconds(1'800'000'000);

TEST(SwarmStore, TheRecordedSwarmIsOneRowThatSurvivesAReopen) {
  testing::TempDir dir;
  const std::string path = dir.file("hub.db");
  {
    auto store = HubStore::open(path).value();
    ASSERT_FALSE(store->swarm_record().value().has_value());
    ASSERT_TRUE(store->set_swarm_record({"digest-a", "vm1", kT0}));
    ASSERT_TRUE(store->set_swarm_record({"digest-b", "vm2", kT0 + std::chrono::seconds(5)}));
  }
  auto store = HubStore::open(path).value();
  const auto record = store->swarm_record().value();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->ca_digest, "digest-b");
  EXPECT_EQ(record->manager, "vm2");
  EXPECT_EQ(record->recorded_at, kT0 + std::chrono::seconds(5));
}

TEST(SwarmStore, TheLastAddressOfEachAgentIsKept) {
  testing::TempDir dir;
  auto store = HubStore::open(dir.file("hub.db")).value();
  ASSERT_TRUE(store->set_agent_address("vm1", "10.0.0.10", kT0));
  ASSERT_TRUE(store->set_agent_address("vm2", "10.0.0.11", kT0));
  ASSERT_TRUE(store->set_agent_address("vm1", "10.0.0.20", kT0));
  EXPECT_EQ(store->agent_addresses().value(),
            (std::map<std::string, std::string>{{"vm1", "10.0.0.20"}, {"vm2", "10.0.0.11"}}));
}

}  // namespace
}  // namespace phoenix::hub
