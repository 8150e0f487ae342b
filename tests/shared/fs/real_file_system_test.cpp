#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace phoenix::fs {
namespace {

class RealFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phoenix-fs-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(fs.remove_tree(dir)); }

  RealFileSystem fs;
  std::string dir;
};

TEST_F(RealFileSystemTest, AtomicWriteCreatesFileWithExactMode) {
  const std::string path = dir + "/key.pem";
  const mode_t old_umask = ::umask(0);
  ::umask(old_umask);
  ASSERT_TRUE(fs.write_file_atomic(path, "secret", {.mode = 0600}));
  auto info = fs.stat(path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->mode, 0600u);
  EXPECT_EQ(*fs.read_file(path), "secret");
}

TEST_F(RealFileSystemTest, AtomicWriteReplacesAndLeavesNoTempFiles) {
  const std::string path = dir + "/daemon.json";
  ASSERT_TRUE(fs.write_file_atomic(path, "{\"old\":1}"));
  ASSERT_TRUE(fs.write_file_atomic(path, "{\"new\":2}", {.mode = 0640}));
  EXPECT_EQ(*fs.read_file(path), "{\"new\":2}");
  EXPECT_EQ(fs.stat(path)->mode, 0640u);
  auto names = fs.list_directory(dir);
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"daemon.json"});
}

TEST_F(RealFileSystemTest, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  auto r = fs.write_file_atomic(dir + "/missing/file", "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_found");
  EXPECT_NE(r.error().message.find("missing"), std::string::npos);
}

TEST_F(RealFileSystemTest, ReadMissingFileIsNotFound) {
  auto r = fs.read_file(dir + "/nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "not_found");
}

TEST_F(RealFileSystemTest, CreateDirectoriesAppliesModeDespiteUmask) {
  const mode_t old_umask = ::umask(077);
  auto r = fs.create_directories(dir + "/a/b/c", 0755);
  ::umask(old_umask);
  ASSERT_TRUE(r);
  EXPECT_EQ(fs.stat(dir + "/a/b/c")->mode, 0755u);
  EXPECT_TRUE(fs.create_directories(dir + "/a/b/c", 0700));  // existing: fine, unchanged
  EXPECT_EQ(fs.stat(dir + "/a/b/c")->mode, 0755u);
}

TEST_F(RealFileSystemTest, CreateDirectoriesThroughAFileFails) {
  ASSERT_TRUE(fs.write_file_atomic(dir + "/file", "x"));
  EXPECT_FALSE(fs.create_directories(dir + "/file/sub"));
}

TEST_F(RealFileSystemTest, SymlinkSwapIsAtomicReplace) {
  ASSERT_TRUE(fs.create_directories(dir + "/sets/a"));
  ASSERT_TRUE(fs.create_directories(dir + "/sets/b"));
  ASSERT_TRUE(fs.write_file_atomic(dir + "/sets/a/cert.pem", "A"));
  ASSERT_TRUE(fs.write_file_atomic(dir + "/sets/b/cert.pem", "B"));
  ASSERT_TRUE(fs.symlink_atomic("sets/a", dir + "/current"));
  EXPECT_EQ(*fs.read_file(dir + "/current/cert.pem"), "A");
  ASSERT_TRUE(fs.symlink_atomic("sets/b", dir + "/current"));
  EXPECT_EQ(*fs.read_file(dir + "/current/cert.pem"), "B");
  EXPECT_EQ(*fs.read_symlink(dir + "/current"), "sets/b");
  EXPECT_FALSE(fs.read_symlink(dir + "/sets"));
}

TEST_F(RealFileSystemTest, RemoveTreeRemovesNestedContentAndRefusesRoot) {
  ASSERT_TRUE(fs.create_directories(dir + "/x/y"));
  ASSERT_TRUE(fs.write_file_atomic(dir + "/x/y/f", "1"));
  ASSERT_TRUE(fs.remove_tree(dir + "/x"));
  EXPECT_FALSE(fs.exists(dir + "/x"));
  EXPECT_TRUE(fs.remove_tree(dir + "/x"));  // already gone
  EXPECT_FALSE(fs.remove_tree("/"));
  EXPECT_FALSE(fs.remove_tree(""));
}

TEST(PathHelpers, PrefixedJoinsRootAndSystemPath) {
  EXPECT_EQ(prefixed("", "/etc/docker"), "/etc/docker");
  EXPECT_EQ(prefixed("/tmp/r", "/etc/docker"), "/tmp/r/etc/docker");
  EXPECT_EQ(prefixed("/tmp/r/", "/etc/docker"), "/tmp/r/etc/docker");
  EXPECT_EQ(parent_path("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_path("/a"), "/");
  EXPECT_EQ(parent_path("c"), ".");
}

}  // namespace
}  // namespace phoenix::fs
