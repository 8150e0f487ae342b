// UserTree against the real kernel: what a user can put in her home (links at the name or
// in a parent, a FIFO, a huge file, a directory where a file belongs) never makes root
// read, write or delete anything outside it. Runs as any user; the owner check is also
// tested when run as root.
#include "shared/fs/real_file_system.hpp"
#include "shared/fs/user_tree.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace phoenix::fs {
namespace {

namespace stdfs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& content) {
  stdfs::create_directories(stdfs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

class UserTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/phoenix.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    home = dir + "/home/alice";
    outside = dir + "/root/.docker";
    stdfs::create_directories(home);
    put(outside + "/config.json", "{\"auths\":{\"registry\":{\"auth\":\"c2VjcmV0\"}}}");
  }
  void TearDown() override {
    // Only ever a directory this fixture made under /tmp/phoenix.*.
    if (dir.starts_with("/tmp/phoenix.") && dir.size() > 13) stdfs::remove_all(dir);
  }

  UserTree tree() const { return UserTree(home, ::geteuid(), ::getegid()); }

  std::string dir, home, outside;
};

TEST_F(UserTreeTest, ReadsTheUsersOwnRegularFile) {
  put(home + "/.bashrc", "export A=1\n");
  auto text = tree().read(home + "/.bashrc", 1024);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "export A=1\n");
}

TEST_F(UserTreeTest, RefusesASymlinkAtTheName) {
  stdfs::create_directories(home + "/.docker");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/config.json");
  auto text = tree().read(home + "/.docker/config.json", 1024 * 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_NE(text.error().message.find("symbolic link"), std::string::npos) << text.error().message;
  EXPECT_EQ(text.error().message.find("c2VjcmV0"), std::string::npos);
}

TEST_F(UserTreeTest, RefusesASymlinkInAParentForReadsWritesAndRemoval) {
  stdfs::create_directory_symlink(outside, home + "/.docker");
  const std::string before = slurp(outside + "/config.json");
  const auto t = tree();

  auto text = t.read(home + "/.docker/config.json", 1024 * 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_NE(text.error().message.find(home + "/.docker is a symbolic link"), std::string::npos)
      << text.error().message;

  EXPECT_FALSE(t.write_atomic(home + "/.docker/config.json", "{}", {.mode = 0600}));
  EXPECT_FALSE(t.make_directories(home + "/.docker/contexts/meta", 0700));
  EXPECT_FALSE(t.remove_tree(home + "/.docker/config.json"));
  EXPECT_FALSE(t.stat(home + "/.docker/config.json"));
  EXPECT_TRUE(t.exists(home + "/.docker/config.json"));  // refused, so not "absent"

  EXPECT_EQ(slurp(outside + "/config.json"), before);
  EXPECT_FALSE(stdfs::exists(outside + "/contexts"));
}

TEST_F(UserTreeTest, AFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((home + "/.bashrc").c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto text = tree().read(home + "/.bashrc", 64 * 1024);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_NE(text.error().message.find("FIFO"), std::string::npos) << text.error().message;
}

TEST_F(UserTreeTest, ALinkToADeviceIsRefused) {
  stdfs::create_symlink("/dev/zero", home + "/.bashrc");
  auto text = tree().read(home + "/.bashrc", 64 * 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
}

TEST_F(UserTreeTest, AFileOverTheCapIsTooBig) {
  put(home + "/.bashrc", std::string(64 * 1024 + 1, 'x'));
  auto text = tree().read(home + "/.bashrc", 64 * 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "too_big");
  EXPECT_NE(text.error().message.find("64 KiB"), std::string::npos) << text.error().message;
  put(home + "/.profile", std::string(64 * 1024, 'x'));
  EXPECT_TRUE(tree().read(home + "/.profile", 64 * 1024));
}

TEST_F(UserTreeTest, ADirectoryWhereAFileBelongsIsRefused) {
  stdfs::create_directories(home + "/.docker/config.json");
  auto text = tree().read(home + "/.docker/config.json", 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_NE(text.error().message.find("directory"), std::string::npos) << text.error().message;
  EXPECT_FALSE(tree().write_atomic(home + "/.docker/config.json", "{}", {.mode = 0600}));
  EXPECT_TRUE(stdfs::is_directory(home + "/.docker/config.json"));
}

TEST_F(UserTreeTest, WritingOverALinkReplacesTheLinkNotItsTarget) {
  stdfs::create_directories(home + "/.docker");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/config.json");
  const std::string before = slurp(outside + "/config.json");
  ASSERT_TRUE(tree().write_atomic(home + "/.docker/config.json", "{\"mine\":1}", {.mode = 0600}));
  EXPECT_EQ(slurp(outside + "/config.json"), before);
  EXPECT_FALSE(stdfs::is_symlink(home + "/.docker/config.json"));
  EXPECT_EQ(slurp(home + "/.docker/config.json"), "{\"mine\":1}");
  struct ::stat st {};
  ASSERT_EQ(::stat((home + "/.docker/config.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  for (const auto& entry : stdfs::directory_iterator(home + "/.docker")) {
    EXPECT_EQ(entry.path().filename(), "config.json") << "temp file left behind";
  }
}

TEST_F(UserTreeTest, RemoveTreeDeletesLinksNotWhatTheyPointAt) {
  stdfs::create_directories(home + "/.docker/contexts/meta");
  stdfs::create_directory_symlink(dir + "/root", home + "/.docker/contexts/meta/evil");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/contexts/file-link");
  ASSERT_TRUE(tree().remove_tree(home + "/.docker/contexts"));
  EXPECT_FALSE(stdfs::exists(home + "/.docker/contexts"));
  EXPECT_TRUE(stdfs::exists(outside + "/config.json"));
}

TEST_F(UserTreeTest, MakesDirectoriesWithTheExactMode) {
  ASSERT_TRUE(tree().make_directories(home + "/.docker/contexts/tls/x/docker", 0700));
  struct ::stat st {};
  ASSERT_EQ(::stat((home + "/.docker/contexts/tls/x/docker").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(UserTreeTest, RefusesDotDot) {
  auto text = tree().read(home + "/../../root/.docker/config.json", 1024 * 1024);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
}

TEST_F(UserTreeTest, AsRootAFileNotOwnedByTheUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another uid";
  put(home + "/.bashrc", "export A=1\n");
  const UserTree alice(home, 4242, 4242);
  ASSERT_EQ(::chown(home.c_str(), 4242, 4242), 0);
  auto text = alice.read(home + "/.bashrc", 1024);  // still root's: a hard link could be anything
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_NE(text.error().message.find("owned by uid 0"), std::string::npos) << text.error().message;
  ASSERT_EQ(::chown((home + "/.bashrc").c_str(), 4242, 4242), 0);
  EXPECT_TRUE(alice.read(home + "/.bashrc", 1024));
  // What root writes for her is hers before it has its name.
  ASSERT_TRUE(alice.write_atomic(home + "/.docker-new", "x", {.mode = 0644}));
  struct ::stat st {};
  ASSERT_EQ(::lstat((home + "/.docker-new").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 4242u);
}

TEST_F(UserTreeTest, RealFileSystemRoutesConfinedHomesThroughTheTree) {
  stdfs::create_directories(home + "/.docker");
  stdfs::create_symlink(outside + "/config.json", home + "/.docker/config.json");
  RealFileSystem fs;
  EXPECT_TRUE(fs.read_file(home + "/.docker/config.json"));  // not confined yet: follows, as before
  fs.confine_user_tree(home, ::geteuid(), ::getegid());
  auto text = fs.read_file(home + "/.docker/config.json");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, "unsafe_path");
  EXPECT_FALSE(fs.stat(home + "/.docker/config.json"));
  EXPECT_TRUE(fs.read_file(outside + "/config.json"));  // outside the home: unchanged behaviour
}

}  // namespace
}  // namespace phoenix::fs
