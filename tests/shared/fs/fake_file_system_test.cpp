#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::fs {
namespace {

TEST(FakeFileSystem, WritesReadsAndListsSorted) {
  FakeFileSystem fs;
  ASSERT_TRUE(fs.write_file_atomic("/etc/docker/b.pem", "B", {.mode = 0600, .owner_uid = 1000}));
  fs.put("/etc/docker/a.json", "{}");
  EXPECT_EQ(*fs.read_file("/etc/docker/b.pem"), "B");
  EXPECT_EQ(fs.stat("/etc/docker/b.pem")->mode, 0600u);
  EXPECT_EQ(fs.stat("/etc/docker/b.pem")->uid, 1000u);
  EXPECT_EQ(*fs.list_directory("/etc/docker"), (std::vector<std::string>{"a.json", "b.pem"}));
  EXPECT_EQ(*fs.list_directory("/etc"), std::vector<std::string>{"docker"});
  EXPECT_TRUE(fs.list_directory("/nowhere")->empty());
  EXPECT_EQ(fs.read_file("/nowhere").error().code, "not_found");
}

TEST(FakeFileSystem, InjectedFailuresLeaveContentUnchanged) {
  FakeFileSystem fs;
  fs.put("/etc/docker/daemon.json", "old");
  fs.fail_writes_matching([](const std::string& p) { return p.find("daemon") != std::string::npos; });
  auto r = fs.write_file_atomic("/etc/docker/daemon.json", "new");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "io_error");
  EXPECT_EQ(*fs.read_file("/etc/docker/daemon.json"), "old");
}

TEST(FakeFileSystem, SymlinksResolveLikeTheKernel) {
  FakeFileSystem fs;
  fs.put("/tls/sets/1/cert.pem", "one");
  fs.put("/tls/sets/2/cert.pem", "two");
  ASSERT_TRUE(fs.symlink_atomic("sets/1", "/tls/current"));
  EXPECT_EQ(*fs.read_file("/tls/current/cert.pem"), "one");
  ASSERT_TRUE(fs.symlink_atomic("/tls/sets/2", "/tls/current"));
  EXPECT_EQ(*fs.read_file("/tls/current/cert.pem"), "two");
  EXPECT_EQ(*fs.read_symlink("/tls/current"), "/tls/sets/2");
  EXPECT_EQ(*fs.list_directory("/tls/current"), std::vector<std::string>{"cert.pem"});
}

TEST(FakeFileSystem, CreateDirectoriesGivesNewDirectoriesTheMode) {
  FakeFileSystem fs;
  ASSERT_TRUE(fs.create_directories("/home/alice", 0755));
  ASSERT_TRUE(fs.create_directories("/home/alice/.docker/contexts", 0700));
  EXPECT_EQ(fs.stat("/home/alice")->mode, 0755u);
  EXPECT_EQ(fs.stat("/home/alice/.docker")->mode, 0700u);
  EXPECT_EQ(fs.stat("/home/alice/.docker/contexts")->mode, 0700u);
  EXPECT_TRUE(fs.stat("/home/alice/.docker")->is_directory);
  fs.put("/home/alice/file", "x");
  EXPECT_FALSE(fs.create_directories("/home/alice/file/sub"));
}

TEST(FakeFileSystem, RenamingADirectoryMovesItsContent) {
  FakeFileSystem fs;
  ASSERT_TRUE(fs.create_directories("/state/identity.new", 0700));
  fs.put("/state/identity.new/cert.pem", "new");
  fs.put("/state/identity/cert.pem", "old");
  fs.put("/state/identity/stale.pem", "gone after the replace");
  ASSERT_TRUE(fs.rename("/state/identity", "/state/identity.old"));
  ASSERT_TRUE(fs.rename("/state/identity.new", "/state/identity"));
  EXPECT_EQ(*fs.read_file("/state/identity/cert.pem"), "new");
  EXPECT_EQ(*fs.read_file("/state/identity.old/cert.pem"), "old");
  EXPECT_EQ(fs.stat("/state/identity")->mode, 0700u);
  EXPECT_FALSE(fs.exists("/state/identity.new/cert.pem"));
  EXPECT_FALSE(fs.exists("/state/identity/stale.pem"));
}

TEST(FakeFileSystem, RenameAndRemoveTree) {
  FakeFileSystem fs;
  fs.put("/a/x", "1");
  ASSERT_TRUE(fs.rename("/a/x", "/b/y"));
  EXPECT_FALSE(fs.exists("/a/x"));
  EXPECT_EQ(*fs.read_file("/b/y"), "1");
  EXPECT_EQ(fs.rename("/a/x", "/c").error().code, "not_found");
  ASSERT_TRUE(fs.remove_tree("/b"));
  EXPECT_FALSE(fs.exists("/b/y"));
  EXPECT_FALSE(fs.remove_tree("/"));
}

}  // namespace
}  // namespace phoenix::fs
