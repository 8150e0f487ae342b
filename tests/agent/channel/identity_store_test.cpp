#include "agent/channel/identity_store.hpp"
#include "tree_fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

IdentityFiles files(const std::string& tag) {
  return {"key-" + tag, "cert-" + tag, "ca-" + tag, "dockerca-" + tag};
}

class IdentityStoreTest : public ::testing::Test {
 protected:
  testing::TreeFakeFileSystem fs;
  IdentityStore store{fs, "/var/lib/phoenix-agent"};
  const IdentityPaths& p = store.paths();

  void put_dir(const std::string& dir, const IdentityFiles& f, bool complete = true) {
    fs.inner().put(dir + "/key.pem", f.key_pem, 0600);
    fs.inner().put(dir + "/cert.pem", f.cert_pem);
    fs.inner().put(dir + "/ca.pem", f.ca_pem);
    if (complete) fs.inner().put(dir + "/docker-ca.pem", f.docker_ca_pem);
  }
  std::string current_cert() { return fs.read_file(p.identity_dir + "/cert.pem").value(); }
};

TEST_F(IdentityStoreTest, InstallWritesTheLayoutWithModes) {
  ASSERT_TRUE(store.install(files("a")));
  ASSERT_TRUE(store.write_hub({"wss://hub:8443", "vm1", std::string(64, 'a')}));
  EXPECT_TRUE(store.enrolled());
  EXPECT_EQ(fs.stat(p.identity_dir + "/key.pem")->mode, 0600u);
  EXPECT_EQ(fs.stat(p.identity_dir + "/cert.pem")->mode, 0644u);
  EXPECT_EQ(fs.stat(p.state_dir)->mode, 0700u);
  EXPECT_EQ(fs.stat(p.identity_dir)->mode, 0700u);
  EXPECT_FALSE(fs.exists(p.new_dir));
  EXPECT_FALSE(fs.exists(p.old_dir));
  auto loaded = store.load_identity();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->key_pem, "key-a");
  EXPECT_EQ(loaded->docker_ca_pem, "dockerca-a");
  auto hub = store.load_hub();
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->vm, "vm1");
}

TEST_F(IdentityStoreTest, InstallReplacesTheIdentity) {
  ASSERT_TRUE(store.install(files("a")));
  ASSERT_TRUE(store.install(files("b")));
  EXPECT_EQ(current_cert(), "cert-b");
  EXPECT_FALSE(fs.exists(p.old_dir));
  EXPECT_EQ(store.repair().value(), RepairOutcome::nothing_to_do);
}

TEST_F(IdentityStoreTest, NotEnrolledSaysWhatToDo) {
  auto r = store.load_identity();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_enrolled");
  EXPECT_NE(r.error().message.find("phoenix-agent enroll"), std::string::npos);
  EXPECT_EQ(store.load_hub().error().code, "not_enrolled");
  EXPECT_FALSE(store.enrolled());
  EXPECT_EQ(store.repair().value(), RepairOutcome::nothing_to_do);
}

TEST_F(IdentityStoreTest, IncompleteIdentityIsNotLoaded) {
  put_dir(p.identity_dir, files("a"), false);
  EXPECT_EQ(store.load_identity().error().code, "not_enrolled");
}

// Crash states, in the order the swap passes through them.

TEST_F(IdentityStoreTest, RepairCrashWhileStagingKeepsCurrent) {
  put_dir(p.identity_dir, files("a"));
  put_dir(p.new_dir, files("b"), false);
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_EQ(current_cert(), "cert-a");
  EXPECT_FALSE(fs.exists(p.new_dir));
}

TEST_F(IdentityStoreTest, RepairCrashAfterStagingBeforeFirstRenameKeepsCurrent) {
  put_dir(p.identity_dir, files("a"));
  put_dir(p.new_dir, files("b"));
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_EQ(current_cert(), "cert-a");
  EXPECT_FALSE(fs.exists(p.new_dir));
}

TEST_F(IdentityStoreTest, RepairCrashBetweenTheRenamesFinishesTheSwap) {
  put_dir(p.old_dir, files("a"));
  put_dir(p.new_dir, files("b"));
  EXPECT_EQ(store.repair().value(), RepairOutcome::finished_swap);
  EXPECT_EQ(current_cert(), "cert-b");
  EXPECT_FALSE(fs.exists(p.new_dir));
  EXPECT_FALSE(fs.exists(p.old_dir));
  EXPECT_EQ(store.repair().value(), RepairOutcome::nothing_to_do);
}

TEST_F(IdentityStoreTest, RepairCrashBeforeRemovingOldDropsOld) {
  put_dir(p.identity_dir, files("b"));
  put_dir(p.old_dir, files("a"));
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_EQ(current_cert(), "cert-b");
  EXPECT_FALSE(fs.exists(p.old_dir));
}

TEST_F(IdentityStoreTest, RepairRestoresOldWhenNewIsIncomplete) {
  put_dir(p.old_dir, files("a"));
  put_dir(p.new_dir, files("b"), false);
  EXPECT_EQ(store.repair().value(), RepairOutcome::restored_old);
  EXPECT_EQ(current_cert(), "cert-a");
  EXPECT_FALSE(fs.exists(p.new_dir));
}

TEST_F(IdentityStoreTest, RepairDropsAnIncompleteFirstEnrollment) {
  put_dir(p.new_dir, files("a"), false);
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_FALSE(fs.exists(p.new_dir));
  EXPECT_FALSE(store.enrolled());
}

TEST_F(IdentityStoreTest, FailedSecondRenamePutsTheCurrentIdentityBack) {
  ASSERT_TRUE(store.install(files("a")));
  fs.fail_rename_number(2);  // identity -> identity.old works, identity.new -> identity fails
  auto r = store.install(files("b"));
  ASSERT_FALSE(r);
  EXPECT_EQ(current_cert(), "cert-a");
  auto loaded = store.load_identity();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->key_pem, "key-a");
  // The staged identity.new is left for repair() to judge; the current one wins.
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_EQ(current_cert(), "cert-a");
}

TEST_F(IdentityStoreTest, FailedWriteLeavesTheCurrentIdentityUntouched) {
  ASSERT_TRUE(store.install(files("a")));
  fs.inner().fail_writes_matching([](const std::string& path) { return path.find("docker-ca.pem") != std::string::npos; });
  EXPECT_FALSE(store.install(files("b")));
  fs.inner().fail_writes_matching(nullptr);
  EXPECT_EQ(current_cert(), "cert-a");
  EXPECT_EQ(store.repair().value(), RepairOutcome::removed_leftovers);
  EXPECT_EQ(current_cert(), "cert-a");
}

TEST(HubFileTest, RoundTripAndStrictness) {
  const HubFile hub{"wss://hub:8443", "vm1", std::string(64, 'b')};
  auto parsed = parse_hub_file(serialize_hub_file(hub), "hub.json");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, hub);
  for (const char* bad : {"", "[]", R"({"url":"wss://h","vm":"v","extra":"x"})", R"({"url":"wss://h"})",
                          R"({"url":1,"vm":"v"})", "{"}) {
    auto r = parse_hub_file(bad, "hub.json");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "hub_file_invalid");
  }
}

}  // namespace
}  // namespace phoenix::agent
