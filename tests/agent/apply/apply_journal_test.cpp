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
  j.settings = RecordedSettings{"/tmp/root", {{"systemctl", "daemon-reload"}, {"systemctl", "restart", "docker"}},
                                "tcp://127.0.0.1:12376", "/run/docker.sock", 40'000};
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

TEST(ApplyJournal, SettingsRoundTripAndAbsentSettingsStayAbsent) {
  const auto j = sample();
  auto decoded = decode_journal(encode_journal(j));
  ASSERT_TRUE(decoded && decoded->settings);
  EXPECT_EQ(decoded->settings->root, "/tmp/root");
  ASSERT_EQ(decoded->settings->restart_commands.size(), 2u);
  EXPECT_EQ(decoded->settings->restart_commands[1], (std::vector<std::string>{"systemctl", "restart", "docker"}));
  EXPECT_EQ(decoded->settings->listen, "tcp://127.0.0.1:12376");
  EXPECT_EQ(decoded->settings->docker_socket, "/run/docker.sock");
  EXPECT_EQ(decoded->settings->verify_timeout_ms, 40'000);
  auto bare = decode_journal(R"({"version":1,"step":"swapped","new_set":"a","new_serial":"01"})");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->settings.has_value());
}

TEST(ApplyJournal, RefusesMalformedSettings) {
  const std::string head = R"({"version":1,"step":"swapped","new_set":"a","new_serial":"01","settings":)";
  const std::string good_tail = R"("listen":"tcp://0.0.0.0:2376","docker_socket":"/s","verify_timeout_ms":1000})";
  for (const std::string& settings :
       {std::string(R"("x")"), R"({"root":"","restart_commands":[],)" + good_tail,
        R"({"root":"","restart_commands":[[]],)" + good_tail, R"({"root":"","restart_commands":[["a",1]],)" + good_tail,
        R"({"restart_commands":[["a"]],)" + good_tail,
        std::string(R"({"root":"","restart_commands":[["a"]],"listen":"l","docker_socket":"/s","verify_timeout_ms":0})"),
        std::string(R"({"root":"","restart_commands":[["a"]],"listen":"l","verify_timeout_ms":5})")}) {
    auto r = decode_journal(head + settings + "}");
    ASSERT_FALSE(r) << settings;
    EXPECT_EQ(r.error().code, "journal_invalid") << settings;
  }
  auto fine = decode_journal(head + R"({"root":"","restart_commands":[["a"]],)" + good_tail + "}");
  EXPECT_TRUE(fine) << (fine ? "" : fine.error().to_string());
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
