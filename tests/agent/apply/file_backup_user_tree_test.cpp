// apply's backup and rollback of a user's docker files, on the real file system with the
// home confined (as resolve_users does): a link the user planted in her tree is never
// followed, so nothing outside the home is copied into the backup or deleted on rollback.
#include "agent/apply/file_backup.hpp"
#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace phoenix::agent::apply {
namespace {

namespace stdfs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class BackupInUserTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phoenix.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    home = dir + "/home/alice";
    outside = dir + "/root/.docker";
    stdfs::create_directories(home);
    stdfs::create_directories(outside + "/contexts/meta/x");
    std::ofstream(outside + "/config.json") << "{\"auths\":{\"r\":{\"auth\":\"secret\"}}}";
    std::ofstream(outside + "/contexts/meta/x/meta.json") << "{}";
    fs.confine_user_tree(home, ::geteuid(), ::getegid());
  }
  void TearDown() override {
    if (dir.starts_with("/tmp/phoenix.") && dir.size() > 13) stdfs::remove_all(dir);
  }

  fs::RealFileSystem fs;
  std::string dir, home, outside;
};

TEST_F(BackupInUserTree, ALinkedDockerDirIsNotBackedUp) {
  stdfs::create_directory_symlink(outside, home + "/.docker");
  auto entries = back_up(fs, {home + "/.docker/config.json", home + "/.docker/contexts"}, dir + "/backup");
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().code, "unsafe_path") << entries.error().message;
  EXPECT_FALSE(stdfs::exists(dir + "/backup/0"));
}

TEST_F(BackupInUserTree, ALinkedConfigIsNotCopiedIntoTheBackup) {
  stdfs::create_directories(home + "/.docker");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/config.json");
  auto entries = back_up(fs, {home + "/.docker/config.json"}, dir + "/backup");
  ASSERT_FALSE(entries);
  EXPECT_EQ(entries.error().code, "unsafe_path");
}

TEST_F(BackupInUserTree, RollbackDeletesNothingThroughALinkPlantedAfterTheBackup) {
  stdfs::create_directories(home + "/.docker");
  auto entries = back_up(fs, {home + "/.docker/contexts"}, dir + "/backup");
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_FALSE((*entries)[0].existed);
  // Between backup and rollback the user swaps ~/.docker for a link to root's.
  stdfs::remove_all(home + "/.docker");
  stdfs::create_directory_symlink(outside, home + "/.docker");
  EXPECT_FALSE(restore(fs, *entries));
  EXPECT_TRUE(stdfs::exists(outside + "/contexts/meta/x/meta.json"));
}

TEST_F(BackupInUserTree, RollbackPutsFilesBackInTheHomeNotThroughALink) {
  stdfs::create_directories(home + "/.docker");
  std::ofstream(home + "/.docker/config.json") << "{\"mine\":1}";
  auto entries = back_up(fs, {home + "/.docker/config.json"}, dir + "/backup");
  ASSERT_TRUE(entries) << entries.error().message;
  stdfs::remove(home + "/.docker/config.json");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/config.json");
  const std::string before = slurp(outside + "/config.json");
  ASSERT_TRUE(restore(fs, *entries));
  EXPECT_EQ(slurp(outside + "/config.json"), before);
  EXPECT_FALSE(stdfs::is_symlink(home + "/.docker/config.json"));
  EXPECT_EQ(slurp(home + "/.docker/config.json"), "{\"mine\":1}");
}

}  // namespace
}  // namespace phoenix::agent::apply
