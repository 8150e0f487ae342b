#include "agent/apply/apply_journal.hpp"

#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::apply {
namespace {

ApplyJournal sample() {
  ApplyJournal j;
  j.step = Step::restarted;
  j.failure = Failure{"restart_failed", "exit 1"};
  j.new_set = "20261125T160000Z-0a1b";
  j.old_set = "20261101T090000Z-ffee";
  j.new_serial = "0A1B";
  j.old_serial = "FFEE";
  j.backups = {{"/etc/docker/daemon.json", "/var/lib/phoenix-agent/docker-apply-backup/0", true},
               {"/etc/systemd/system/docker.service.d/phoenix.conf", "", false}};
  j.users = {"root", "alice"};
  j.verify_port = 12376;
  j.started_at = "2026-11-25T16:00:00Z";
  return j;
}

TEST(ApplyJournal, RoundTrips) {
  const auto j = sample();
  auto decoded = decode_journal(encode_journal(j));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(*decoded, j);
  ApplyJournal first;
  first.new_set = "s";
  auto d2 = decode_journal(encode_journal(first));
  ASSERT_TRUE(d2);
  EXPECT_EQ(*d2, first);
}

TEST(ApplyJournal, RefusesGarbageWithOneCode) {
  for (const char* text : {"", "not json", "[]", R"({"version":2,"step":"begun","new_set":"a","new_serial":""})",
                           R"({"version":1,"step":"teleported","new_set":"a","new_serial":""})",
                           R"({"version":1,"step":"begun","new_serial":""})",
                           R"({"version":1,"step":"begun","new_set":"a","new_serial":"","backups":[{"path":1}]})",
                           R"({"version":1,"step":"begun","new_set":"a","new_serial":"","verify_port":70000})"}) {
    auto r = decode_journal(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, "journal_invalid") << text;
  }
}

TEST(JournalStore, AbsentSavedRemovedWithPrivateMode) {
  fs::FakeFileSystem fs;
  JournalStore store(fs, "/state");
  auto none = store.load();
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store.save(sample()));
  EXPECT_EQ(fs.stat(store.path())->mode, 0600u);
  auto loaded = store.load();
  ASSERT_TRUE(loaded && loaded->has_value());
  EXPECT_EQ(**loaded, sample());
  ASSERT_TRUE(store.remove());
  EXPECT_FALSE(fs.exists(store.path()));
}

TEST(JournalStore, CorruptJournalIsAnErrorNotAbsence) {
  fs::FakeFileSystem fs;
  fs.put("/state/docker-apply.journal.json", "{trunc");
  JournalStore store(fs, "/state");
  auto r = store.load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "journal_invalid");
}

}  // namespace
}  // namespace phoenix::agent::apply
