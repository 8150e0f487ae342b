#include "hub/rotation/rollout_driver.hpp"

#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

class RotationRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = HubStore::open(dir_.file("hub.db")).value();
    for (const char* vm : {"vm1", "vm2", "vm3"}) ASSERT_TRUE(store_->record_enrollment(vm, "01", now_ + 24h, now_));
    ASSERT_TRUE(store_->revoke("vm3", now_));
  }
  Result<RotationRecord> make(RotationRequest request) {
    return make_rotation_record(request, *store_, nullptr, "rot-1", now_);
  }

  testing::TempDir dir_;
  std::unique_ptr<HubStore> store_;
  StoreTime now_ = from_unix_seconds(1'800'000'000);
};

TEST_F(RotationRecordTest, OmittedVmsMeanEveryEnrolledUnrevokedAgent) {
  const auto record = make({});
  ASSERT_TRUE(record) << record.error().to_string();
  ASSERT_EQ(record->targets.size(), 2u);
  EXPECT_EQ(record->targets[0].vm, "vm1");
  EXPECT_EQ(record->targets[1].vm, "vm2");
  EXPECT_EQ(record->targets[0].state, TargetState::pending);
  EXPECT_EQ(record->outcome, RolloutOutcome::in_progress);
  EXPECT_EQ(record->created_at, now_);
}

TEST_F(RotationRecordTest, NamedVmsKeepTheirOrderAndMustBeEnrolled) {
  RotationRequest request;
  request.vms = {"vm2", "vm1"};
  const auto record = make(request);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->targets[0].vm, "vm2");

  for (const char* vm : {"vm9", "vm3"}) {
    request.vms = {"vm1", vm};
    const auto refused = make(request);
    ASSERT_FALSE(refused) << vm;
    EXPECT_EQ(refused.error().code, "agent_not_found") << vm;
    EXPECT_NE(refused.error().message.find(vm), std::string::npos);
  }
  request.vms = {"vm1", "vm1"};
  EXPECT_EQ(make(request).error().code, "invalid_request");
}

TEST_F(RotationRecordTest, UnknownKindsAndEmptyFleetsAreRefused) {
  RotationRequest request;
  request.kind = "identity";
  EXPECT_TRUE(make(request));
  request.kind = "docker-ca";
  EXPECT_EQ(make(request).error().code, "not_initialized") << "docker-ca needs the hub's docker trust";
  request.kind = "tls";
  EXPECT_EQ(make(request).error().code, "invalid_request");

  testing::TempDir empty_dir;
  auto empty = HubStore::open(empty_dir.file("hub.db")).value();
  EXPECT_EQ(make_rotation_record({}, *empty, nullptr, "rot-2", now_).error().code, "no_targets");
}

TEST(RotationId, IsUniqueAndASafeName) {
  const auto now = from_unix_seconds(1'800'000'000);
  const auto a = new_rotation_id(now);
  const auto b = new_rotation_id(now);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("rot-1800000000-", 0), 0u) << a;
  EXPECT_EQ(a.size(), std::string("rot-1800000000-").size() + 8);
}

}  // namespace
}  // namespace phoenix::hub
