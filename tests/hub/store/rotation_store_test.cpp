#include "hub/store/hub_store.hpp"

#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const StoreTime kT0 = from_unix_seconds(1'800'000'000);

RotationRecord rotation(std::string id, StoreTime created, std::vector<std::string> vms) {
  RotationRecord r;
  r.id = std::move(id);
  r.kind = "docker-tls";
  r.max_parallel = 2;
  r.max_failures = 1;
  r.created_at = created;
  for (auto& vm : vms) r.targets.push_back(RotationTargetRecord{.vm = std::move(vm)});
  return r;
}

class RotationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = HubStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
  }
  RotationRecord fetch(const std::string& id) {
    auto got = store_->get_rotation(id);
    if (!got || !*got) {
      ADD_FAILURE() << "rotation " << id << " not found";
      return {};
    }
    return **got;
  }
  TempDir dir_;
  std::string path_ = dir_.file("hub.db");
  std::unique_ptr<HubStore> store_;
};

TEST_F(RotationStoreTest, ARotationRoundTripsWithItsTargetsInOrder) {
  ASSERT_TRUE(store_->create_rotation(rotation("r1", kT0, {"vm3", "vm1", "vm2"})));
  const auto r = fetch("r1");
  EXPECT_EQ(r.kind, "docker-tls");
  EXPECT_EQ(r.max_parallel, 2);
  EXPECT_EQ(r.max_failures, 1);
  EXPECT_EQ(r.outcome, RolloutOutcome::in_progress);
  EXPECT_EQ(r.created_at, kT0);
  EXPECT_FALSE(r.finished_at);
  ASSERT_EQ(r.targets.size(), 3u);
  EXPECT_EQ(r.targets[0].vm, "vm3");
  EXPECT_EQ(r.targets[1].vm, "vm1");
  EXPECT_EQ(r.targets[2].vm, "vm2");
  EXPECT_EQ(r.targets[0].state, TargetState::pending);
  EXPECT_FALSE(r.targets[0].started_at);
}

TEST_F(RotationStoreTest, UnknownIdIsEmptyAndDuplicatesAreRefused) {
  auto missing = store_->get_rotation("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  ASSERT_TRUE(store_->create_rotation(rotation("r1", kT0, {"vm1"})));
  auto again = store_->create_rotation(rotation("r1", kT0, {"vm2"}));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "rotation_exists");
  EXPECT_EQ(fetch("r1").targets.at(0).vm, "vm1");
}

TEST_F(RotationStoreTest, ATargetListedTwiceStoresNothing) {
  auto bad = store_->create_rotation(rotation("r1", kT0, {"vm1", "vm1"}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("vm1"), std::string::npos) << bad.error().message;
  auto missing = store_->get_rotation("r1");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing) << "the transaction rolled back";
}

TEST_F(RotationStoreTest, TargetProgressAndOutcomeSurviveAReopen) {
  ASSERT_TRUE(store_->create_rotation(rotation("r1", kT0, {"vm1", "vm2"})));
  RotationTargetRecord done{.vm = "vm1", .state = TargetState::done, .started_at = kT0 + 1s,
                            .finished_at = kT0 + 9s, .old_serial = "0A", .new_serial = "0B"};
  ASSERT_TRUE(store_->update_rotation_target("r1", done));
  RotationTargetRecord failed{.vm = "vm2", .state = TargetState::failed, .started_at = kT0 + 10s,
                              .finished_at = kT0 + 12s, .old_serial = "1A",
                              .error = "restart command exited 1; rolled back to 1A"};
  ASSERT_TRUE(store_->update_rotation_target("r1", failed));
  ASSERT_TRUE(store_->set_rotation_outcome("r1", RolloutOutcome::halted, "1 failed", kT0 + 12s));

  store_.reset();
  auto reopened = HubStore::open(path_);
  ASSERT_TRUE(reopened);
  store_ = std::move(*reopened);
  const auto r = fetch("r1");
  EXPECT_EQ(r.outcome, RolloutOutcome::halted);
  EXPECT_EQ(r.reason, "1 failed");
  EXPECT_EQ(r.finished_at, kT0 + 12s);
  ASSERT_EQ(r.targets.size(), 2u);
  EXPECT_EQ(r.targets[0].state, TargetState::done);
  EXPECT_EQ(r.targets[0].started_at, kT0 + 1s);
  EXPECT_EQ(r.targets[0].finished_at, kT0 + 9s);
  EXPECT_EQ(r.targets[0].new_serial, "0B");
  EXPECT_EQ(r.targets[1].state, TargetState::failed);
  EXPECT_EQ(r.targets[1].error, "restart command exited 1; rolled back to 1A");
}

TEST_F(RotationStoreTest, UpdatesOfUnknownRotationsOrTargetsAreErrors) {
  ASSERT_TRUE(store_->create_rotation(rotation("r1", kT0, {"vm1"})));
  auto target = store_->update_rotation_target("r1", RotationTargetRecord{.vm = "vm9"});
  ASSERT_FALSE(target);
  EXPECT_EQ(target.error().code, "rotation_target_not_found");
  auto other = store_->update_rotation_target("r2", RotationTargetRecord{.vm = "vm1"});
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, "rotation_target_not_found");
  auto outcome = store_->set_rotation_outcome("r2", RolloutOutcome::completed, "", kT0);
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().code, "rotation_not_found");
}

TEST_F(RotationStoreTest, TheObserverHearsOfEverySuccessfulWriteAndNoFailedOne) {
  std::vector<std::string> heard;
  store_->on_rotation_change([&](const std::string& id) {
    // Called outside the store's lock: reading back from the observer must not deadlock.
    ASSERT_TRUE(store_->get_rotation(id));
    heard.push_back(id);
  });
  ASSERT_TRUE(store_->create_rotation(rotation("r1", kT0, {"vm1"})));
  ASSERT_TRUE(store_->update_rotation_target("r1", RotationTargetRecord{.vm = "vm1", .state = TargetState::running}));
  ASSERT_TRUE(store_->start_rotation_phase("r1", "docker-ca", 1));
  ASSERT_TRUE(store_->set_rotation_outcome("r1", RolloutOutcome::completed, "", kT0 + 1s));
  EXPECT_FALSE(store_->create_rotation(rotation("r1", kT0, {"vm1"})));              // exists
  EXPECT_FALSE(store_->update_rotation_target("r1", RotationTargetRecord{.vm = "vm9"}));  // no such VM
  EXPECT_FALSE(store_->set_rotation_outcome("r2", RolloutOutcome::completed, "", kT0));   // no such rotation
  EXPECT_EQ(heard, (std::vector<std::string>{"r1", "r1", "r1", "r1"}));
}

TEST_F(RotationStoreTest, UnfinishedRotationsAreListedOldestFirst) {
  ASSERT_TRUE(store_->create_rotation(rotation("late", kT0 + 20s, {"vm1"})));
  ASSERT_TRUE(store_->create_rotation(rotation("early", kT0, {"vm1"})));
  ASSERT_TRUE(store_->create_rotation(rotation("over", kT0 + 10s, {"vm1"})));
  ASSERT_TRUE(store_->set_rotation_outcome("over", RolloutOutcome::completed, "", kT0 + 11s));
  auto ids = store_->unfinished_rotations();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<std::string>{"early", "late"}));
}

TEST_F(RotationStoreTest, ListIsNewestFirstAndLimited) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_->create_rotation(rotation("r" + std::to_string(i), kT0 + std::chrono::seconds(i), {"vm1"})));
  }
  auto list = store_->list_rotations(3);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].id, "r4");
  EXPECT_EQ((*list)[2].id, "r2");
  EXPECT_EQ((*list)[0].targets.size(), 1u);
}

}  // namespace
}  // namespace phoenix::hub
