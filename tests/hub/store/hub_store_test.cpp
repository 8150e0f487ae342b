#include "hub/store/hub_store.hpp"

#include "hub/store/sqlite_database.hpp"
#include "hub/store/store_schema.hpp"
#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <thread>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

const StoreTime kT0 = from_unix_seconds(1'800'000'000);
const std::string kHash = std::string(64, 'a');

class HubStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = HubStore::open(path_);
    ASSERT_TRUE(opened) << opened.error().to_string();
    store_ = std::move(*opened);
  }
  TempDir dir_;
  std::string path_ = dir_.file("hub.db");
  std::unique_ptr<HubStore> store_;
};

TEST_F(HubStoreTest, CreatesAPrivateFileAtTheLatestSchema) {
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store_->schema_version(), kHubStoreSchemaVersion);
  EXPECT_EQ(store_migration_count(), kHubStoreSchemaVersion);
}

TEST_F(HubStoreTest, UsesWriteAheadLogging) {
  auto db = SqliteDatabase::open(path_);
  ASSERT_TRUE(db);
  auto stmt = (*db)->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(stmt);
  ASSERT_TRUE(*stmt->step());
  EXPECT_EQ(stmt->column_text(0), "wal");
}

TEST_F(HubStoreTest, ReopeningIsIdempotentAndKeepsData) {
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 7 * 24h, kT0));
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    auto again = HubStore::open(path_);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ((*again)->schema_version(), kHubStoreSchemaVersion);
    auto agent = (*again)->get_agent("vm1");
    ASSERT_TRUE(agent && *agent);
    EXPECT_EQ((*agent)->cert_serial, "AB01");
  }
  auto reopened = HubStore::open(path_);
  ASSERT_TRUE(reopened);
  auto vm = (*reopened)->consume_token(kHash, kT0 + 1s);
  ASSERT_TRUE(vm);
  EXPECT_EQ(*vm, "vm1");
}

TEST_F(HubStoreTest, MigratingAgainChangesNothing) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  store_.reset();
  auto db = SqliteDatabase::open(path_);
  ASSERT_TRUE(db);
  ASSERT_TRUE(migrate_store(**db));
  ASSERT_TRUE(migrate_store(**db));
  EXPECT_EQ(*read_user_version(**db), kHubStoreSchemaVersion);
  auto count = (*db)->prepare("SELECT COUNT(*) FROM agents");
  ASSERT_TRUE(count);
  ASSERT_TRUE(*count->step());
  EXPECT_EQ(count->column_int64(0), 1);
}

TEST_F(HubStoreTest, MigratesAnEmptyVersionZeroFile) {
  const std::string fresh = dir_.file("fresh.db");
  {
    auto db = SqliteDatabase::open(fresh);
    ASSERT_TRUE(db);
    EXPECT_EQ(*read_user_version(**db), 0);
  }
  auto opened = HubStore::open(fresh);
  ASSERT_TRUE(opened);
  EXPECT_EQ((*opened)->schema_version(), kHubStoreSchemaVersion);
}

TEST_F(HubStoreTest, RefusesAFileFromANewerBuild) {
  store_.reset();
  {
    auto db = SqliteDatabase::open(path_);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec("PRAGMA user_version = 99"));
  }
  auto opened = HubStore::open(path_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "store_error");
  EXPECT_NE(opened.error().message.find("99"), std::string::npos);
}

TEST_F(HubStoreTest, RefusesANonDatabaseFile) {
  store_.reset();
  const std::string junk = dir_.file("junk.db");
  {
    std::FILE* f = std::fopen(junk.c_str(), "w");
    std::fputs("this is not an sqlite database, not even close......................", f);
    std::fclose(f);
  }
  auto opened = HubStore::open(junk);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "store_error");
}

TEST_F(HubStoreTest, RefusesAMissingDirectory) {
  auto opened = HubStore::open(dir_.file("nope/hub.db"));
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, "store_error");
  EXPECT_NE(opened.error().message.find("phoenix-hub init"), std::string::npos);
}

TEST_F(HubStoreTest, TokenIsSingleUse) {
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  auto first = store_->consume_token(kHash, kT0 + 10s);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, "vm1");
  auto second = store_->consume_token(kHash, kT0 + 11s);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "token_used");
}

// Enrollment asks before it parses the CSR: the same answers as consume_token, nothing spent.
TEST_F(HubStoreTest, CheckingATokenDoesNotSpendIt) {
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  for (int i = 0; i < 2; ++i) {
    auto checked = store_->check_token(kHash, kT0 + 10s);
    ASSERT_TRUE(checked) << checked.error().to_string();
    EXPECT_EQ(*checked, "vm1");
  }
  EXPECT_EQ(store_->check_token(std::string(64, 'b'), kT0).error().code, "token_invalid");
  EXPECT_EQ(store_->check_token(kHash, kT0 + 1h).error().code, "token_expired");
  ASSERT_TRUE(store_->consume_token(kHash, kT0 + 11s));
  EXPECT_EQ(store_->check_token(kHash, kT0 + 12s).error().code, "token_used");
}

TEST_F(HubStoreTest, UnknownTokenIsInvalid) {
  auto result = store_->consume_token(std::string(64, 'b'), kT0);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "token_invalid");
}

TEST_F(HubStoreTest, TokenExpiresAtItsDeadline) {
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  auto at_deadline = store_->consume_token(kHash, kT0 + 1h);
  ASSERT_FALSE(at_deadline);
  EXPECT_EQ(at_deadline.error().code, "token_expired");
  auto just_before = store_->consume_token(kHash, kT0 + 1h - 1s);
  EXPECT_TRUE(just_before);
}

TEST_F(HubStoreTest, DuplicateTokenHashIsRefused) {
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  auto again = store_->add_token(kHash, "vm2", kT0, kT0 + 1h);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "token_exists");
}

TEST_F(HubStoreTest, PruneDropsOnlyLongExpiredTokens) {
  ASSERT_TRUE(store_->add_token(std::string(64, '1'), "vm1", kT0, kT0 + 1h));
  ASSERT_TRUE(store_->add_token(std::string(64, '2'), "vm2", kT0, kT0 + 48h));
  auto pruned = store_->prune_tokens(kT0 + 24h);
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(store_->consume_token(std::string(64, '1'), kT0).error().code, "token_invalid");
  EXPECT_TRUE(store_->consume_token(std::string(64, '2'), kT0));
}

TEST_F(HubStoreTest, RacingConsumersHaveExactlyOneWinner) {
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = std::string(62, 'c') + std::to_string(10 + round);
    ASSERT_TRUE(store_->add_token(hash, "vm1", kT0, kT0 + 1h));
    std::atomic<int> winners{0}, used{0};
    std::atomic<bool> go{false};
    auto consumer = [&] {
      while (!go) std::this_thread::yield();
      auto r = store_->consume_token(hash, kT0 + 1s);
      if (r) ++winners;
      else if (r.error().code == "token_used") ++used;
    };
    std::thread a(consumer), b(consumer);
    go = true;
    a.join();
    b.join();
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(used.load(), 1);
  }
}

TEST_F(HubStoreTest, RacingConnectionsOnOneFileHaveExactlyOneWinner) {
  // Two processes (serve and an admin command) have their own connections: the guard in the
  // UPDATE, not the mutex, must decide.
  auto other = HubStore::open(path_);
  ASSERT_TRUE(other);
  ASSERT_TRUE(store_->add_token(kHash, "vm1", kT0, kT0 + 1h));
  std::atomic<int> winners{0};
  std::atomic<bool> go{false};
  auto consume = [&](HubStore& s) {
    while (!go) std::this_thread::yield();
    if (s.consume_token(kHash, kT0 + 1s)) ++winners;
  };
  std::thread a(consume, std::ref(*store_)), b(consume, std::ref(**other));
  go = true;
  a.join();
  b.join();
  EXPECT_EQ(winners.load(), 1);
}

TEST_F(HubStoreTest, EnrollmentCreatesAnAgentRecord) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  auto agent = store_->get_agent("vm1");
  ASSERT_TRUE(agent && *agent);
  EXPECT_EQ((*agent)->name, "vm1");
  EXPECT_EQ((*agent)->cert_serial, "AB01");
  EXPECT_EQ((*agent)->cert_not_after, kT0 + 168h);
  EXPECT_EQ((*agent)->first_seen, kT0);
  EXPECT_EQ((*agent)->last_seen, kT0);
  EXPECT_FALSE((*agent)->connected);
  EXPECT_FALSE((*agent)->revoked);
  EXPECT_TRUE((*agent)->last_state.is_null());

  auto missing = store_->get_agent("vm2");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_F(HubStoreTest, ReEnrollmentKeepsFirstSeen) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->record_enrollment("vm1", "CD02", kT0 + 200h, kT0 + 5h));
  auto agent = store_->get_agent("vm1");
  ASSERT_TRUE(agent && *agent);
  EXPECT_EQ((*agent)->cert_serial, "CD02");
  EXPECT_EQ((*agent)->first_seen, kT0);
  EXPECT_EQ((*agent)->last_seen, kT0 + 5h);
}

TEST_F(HubStoreTest, IdentityRenewalUpdatesSerial) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->record_identity("vm1", "EF03", kT0 + 300h));
  auto agent = store_->get_agent("vm1");
  EXPECT_EQ((*agent)->cert_serial, "EF03");
  EXPECT_EQ((*agent)->cert_not_after, kT0 + 300h);
  EXPECT_EQ(store_->record_identity("ghost", "01", kT0).error().code, "agent_not_found");
}

TEST_F(HubStoreTest, ConnectedAndLastState) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->set_connected("vm1", true, kT0 + 1s));
  const nlohmann::json state = {{"vm", "vm1"}, {"docker", {{"reachable", true}}}};
  ASSERT_TRUE(store_->set_last_state("vm1", state, kT0 + 2s));
  auto agent = store_->get_agent("vm1");
  EXPECT_TRUE((*agent)->connected);
  EXPECT_EQ((*agent)->last_state, state);
  EXPECT_EQ((*agent)->last_seen, kT0 + 2s);

  ASSERT_TRUE(store_->set_connected("vm1", false, kT0 + 3s));
  EXPECT_FALSE((*store_->get_agent("vm1"))->connected);
  EXPECT_EQ(store_->set_connected("ghost", true, kT0).error().code, "agent_not_found");
  EXPECT_EQ(store_->set_last_state("ghost", state, kT0).error().code, "agent_not_found");
}

TEST_F(HubStoreTest, LastStateWithInvalidUtf8DoesNotThrow) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  const nlohmann::json state = {{"bad", std::string("\xff\xfe")}};
  EXPECT_TRUE(store_->set_last_state("vm1", state, kT0));
}

TEST_F(HubStoreTest, ListAgentsIsSortedByName) {
  for (const char* name : {"vm3", "vm1", "vm2"}) {
    ASSERT_TRUE(store_->record_enrollment(name, std::string("S-") + name, kT0 + 168h, kT0));
  }
  auto agents = store_->list_agents();
  ASSERT_TRUE(agents);
  ASSERT_EQ(agents->size(), 3u);
  EXPECT_EQ((*agents)[0].name, "vm1");
  EXPECT_EQ((*agents)[2].name, "vm3");
  EXPECT_EQ((*agents)[2].cert_serial, "S-vm3");
}

TEST_F(HubStoreTest, MarkAllDisconnected) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "A", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->record_enrollment("vm2", "B", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->set_connected("vm1", true, kT0));
  ASSERT_TRUE(store_->set_connected("vm2", true, kT0));
  ASSERT_TRUE(store_->mark_all_disconnected(kT0 + 1h));
  for (const auto& agent : *store_->list_agents()) {
    EXPECT_FALSE(agent.connected) << agent.name;
    EXPECT_EQ(agent.last_seen, kT0 + 1h);
  }
}

TEST_F(HubStoreTest, RevokeDeniesNameAndSerialAndSurvivesReopen) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->record_enrollment("vm2", "CD02", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->set_connected("vm1", true, kT0));
  EXPECT_FALSE(*store_->is_revoked_name("vm1"));
  EXPECT_FALSE(*store_->is_revoked_serial("AB01"));

  ASSERT_TRUE(store_->revoke("vm1", kT0 + 1h));
  ASSERT_TRUE(store_->revoke("vm1", kT0 + 2h));  // twice is fine
  store_.reset();
  auto reopened = HubStore::open(path_);
  ASSERT_TRUE(reopened);
  auto& store = **reopened;
  EXPECT_TRUE(*store.is_revoked_name("vm1"));
  EXPECT_TRUE(*store.is_revoked_serial("AB01"));
  EXPECT_FALSE(*store.is_revoked_name("vm2"));
  EXPECT_FALSE(*store.is_revoked_serial("CD02"));
  auto agent = store.get_agent("vm1");
  EXPECT_TRUE((*agent)->revoked);
  EXPECT_FALSE((*agent)->connected);
  EXPECT_EQ(*store.revoked_names(), std::vector<std::string>{"vm1"});
  EXPECT_EQ(store.revoke("ghost", kT0).error().code, "agent_not_found");
  EXPECT_FALSE(*store.is_revoked_name("ghost"));
}

TEST_F(HubStoreTest, RevokeVoidsPendingTokensButNotLaterOnes) {
  ASSERT_TRUE(store_->record_enrollment("vm1", "AB01", kT0 + 168h, kT0));
  ASSERT_TRUE(store_->add_token(std::string(64, '1'), "vm1", kT0, kT0 + 1h));
  ASSERT_TRUE(store_->add_token(std::string(64, '2'), "vm2", kT0, kT0 + 1h));
  ASSERT_TRUE(store_->revoke("vm1", kT0 + 1s));
  EXPECT_EQ(store_->consume_token(std::string(64, '1'), kT0 + 2s).error().code, "token_used");
  EXPECT_TRUE(store_->consume_token(std::string(64, '2'), kT0 + 2s));

  // A new token after the revocation re-admits the VM: the name is cleared, the old serial stays denied.
  ASSERT_TRUE(store_->add_token(std::string(64, '3'), "vm1", kT0 + 3s, kT0 + 1h));
  ASSERT_TRUE(store_->consume_token(std::string(64, '3'), kT0 + 4s));
  ASSERT_TRUE(store_->record_enrollment("vm1", "EF03", kT0 + 168h, kT0 + 4s));
  EXPECT_FALSE(*store_->is_revoked_name("vm1"));
  EXPECT_TRUE(*store_->is_revoked_serial("AB01"));
  EXPECT_FALSE(*store_->is_revoked_serial("EF03"));
}

TEST_F(HubStoreTest, HostileTextIsStoredVerbatim) {
  const std::string name = "vm1'; DROP TABLE agents; --";
  ASSERT_TRUE(store_->record_enrollment(name, "AB01", kT0 + 168h, kT0));
  auto agent = store_->get_agent(name);
  ASSERT_TRUE(agent && *agent);
  EXPECT_EQ((*agent)->name, name);
  EXPECT_EQ(store_->list_agents()->size(), 1u);
}

TEST(StoreTime, UnixSecondsRoundTrip) {
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(1'800'000'123)), 1'800'000'123);
  EXPECT_EQ(to_unix_seconds(from_unix_seconds(0)), 0);
}

}  // namespace
}  // namespace phoenix::hub
