// settings_from_journal (pure) and converge_pending_apply's early refusals (a temp dir, no
// dockerd: nothing here reaches a restart).
#include "agent/apply/pending_apply.hpp"

#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace phoenix::agent::apply {
namespace {

ApplyJournal journal_with_settings() {
  ApplyJournal j;
  j.step = Step::swapped;
  j.new_set = "20261125T160000Z-0a1b";
  j.new_serial = "0A1B";
  j.users = {"root", "alice"};
  j.settings = RecordedSettings{"/tmp/r", {{"/bin/restart-dockerd", "--now"}}, "tcp://127.0.0.1:12376",
                                "/tmp/r/docker.sock", 7'000};
  return j;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "phx-pending-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(SettingsFromJournal, RebuildsWhatTheInterruptedApplyRanWith) {
  auto s = settings_from_journal(journal_with_settings(), "/state");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s->paths.root, "/tmp/r");
  EXPECT_EQ(s->paths.daemon_json, "/tmp/r/etc/docker/daemon.json");
  EXPECT_EQ(s->state_dir, "/state");
  EXPECT_EQ(s->listen, "tcp://127.0.0.1:12376");
  EXPECT_EQ(s->docker_socket, "/tmp/r/docker.sock");
  EXPECT_EQ(s->restart_commands, (std::vector<std::vector<std::string>>{{"/bin/restart-dockerd", "--now"}}));
  EXPECT_EQ(s->users, (std::vector<std::string>{"root", "alice"}));
  EXPECT_EQ(s->verify_timeout, std::chrono::milliseconds(7'000));
}

TEST(SettingsFromJournal, RefusesAJournalWithoutSettingsInsteadOfGuessing) {
  auto j = journal_with_settings();
  j.settings.reset();
  auto s = settings_from_journal(j, "/state");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, "journal_without_settings");
  EXPECT_NE(s.error().message.find("docker apply"), std::string::npos);
  auto no_users = journal_with_settings();
  no_users.users.clear();
  EXPECT_FALSE(settings_from_journal(no_users, "/state"));
}

TEST(ConvergePendingApply, NoJournalIsNothingToDoAndTouchesNothing) {
  TempDir dir;
  auto r = converge_pending_apply(dir.path() + "/state");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/state"));
}

TEST(ConvergePendingApply, AJournalWithoutSettingsIsRefusedAndKept) {
  TempDir dir;
  auto j = journal_with_settings();
  j.settings.reset();
  const auto path = dir.path() + "/docker-apply.journal.json";
  std::ofstream(path) << encode_journal(j);
  auto r = converge_pending_apply(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "journal_without_settings");
  EXPECT_TRUE(std::filesystem::exists(path));
  converge_pending_apply_at_start(dir.path());  // logs the error, does not throw or exit
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace phoenix::agent::apply
