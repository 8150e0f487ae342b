#include "agent/docker/context_store.hpp"

#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace phoenix::agent::docker {
namespace {

constexpr const char* kId = "03a8f0dd8edb33781a836ac497800b5f9c5c47c2ddbfd0f89581140589725a85";

UserAccount alice() { return UserAccount{"alice", "/r/home/alice", 1000, 1001}; }

ContextMaterial material() { return ContextMaterial{"CA PEM", "CERT PEM", "KEY PEM"}; }

TEST(ContextStore, ContextIdIsSha256OfTheName) {
  EXPECT_EQ(context_id("phoenix"), kId);
  EXPECT_EQ(context_id(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ContextStore, MetaJsonIsExactlyTheClisFormat) {
  EXPECT_EQ(make_context_meta_json("tcp://127.0.0.1:2376"),
            R"({"Name":"phoenix","Metadata":{"Description":"managed by phoenix-agent"},)"
            R"("Endpoints":{"docker":{"Host":"tcp://127.0.0.1:2376","SkipTLSVerify":false}}})");
}

TEST(ContextStore, WritesEveryFileOwnedByTheUserWithTightModes) {
  fs::FakeFileSystem fs;
  fs.create_directories("/r/home/alice", 0755);
  ASSERT_TRUE(write_phoenix_context(fs, alice(), material()));
  const std::string base = "/r/home/alice/.docker/contexts/";
  const auto files = fs.snapshot();
  const auto expect_file = [&](const std::string& path, const std::string& content, mode_t mode) {
    ASSERT_TRUE(files.count(path)) << path;
    const auto& node = files.at(path);
    EXPECT_EQ(node.content, content) << path;
    EXPECT_EQ(node.info.mode, mode) << path;
    EXPECT_EQ(node.info.uid, 1000u) << path;
    EXPECT_EQ(node.info.gid, 1001u) << path;
  };
  expect_file(base + "meta/" + kId + "/meta.json", make_context_meta_json("tcp://127.0.0.1:2376"), 0644);
  expect_file(base + "tls/" + kId + "/docker/ca.pem", "CA PEM", 0644);
  expect_file(base + "tls/" + kId + "/docker/cert.pem", "CERT PEM", 0644);
  expect_file(base + "tls/" + kId + "/docker/key.pem", "KEY PEM", 0600);
  for (const std::string& dir : std::vector<std::string>{"/r/home/alice/.docker", "/r/home/alice/.docker/contexts",
                                "/r/home/alice/.docker/contexts/tls/" + std::string(kId) + "/docker"}) {
    ASSERT_TRUE(files.count(dir)) << dir;
    EXPECT_TRUE(files.at(dir).info.is_directory);
    EXPECT_EQ(files.at(dir).info.mode, 0700u) << dir;
    EXPECT_EQ(files.at(dir).info.uid, 1000u) << dir;
  }
  EXPECT_EQ(files.at("/r/home/alice").info.uid, 0u);  // the home itself is not touched
  const auto config = nlohmann::json::parse(files.at("/r/home/alice/.docker/config.json").content);
  EXPECT_EQ(config["currentContext"], "phoenix");
  EXPECT_EQ(files.at("/r/home/alice/.docker/config.json").info.mode, 0600u);
}

TEST(ContextStore, MergesCurrentContextKeepingOtherKeys) {
  fs::FakeFileSystem fs;
  fs.put("/r/home/alice/.docker/config.json",
         R"({"auths":{"registry.example":{"auth":"eHl6"}},"currentContext":"default","psFormat":"x"})", 0640);
  ASSERT_TRUE(write_phoenix_context(fs, alice(), material()));
  const auto node = fs.snapshot().at("/r/home/alice/.docker/config.json");
  const auto config = nlohmann::json::parse(node.content);
  EXPECT_EQ(config["currentContext"], "phoenix");
  EXPECT_EQ(config["auths"]["registry.example"]["auth"], "eHl6");
  EXPECT_EQ(config["psFormat"], "x");
  EXPECT_EQ(node.info.mode, 0640u);
}

TEST(ContextStore, InvalidConfigJsonIsAnErrorAndNothingIsWritten) {
  fs::FakeFileSystem fs;
  fs.put("/r/home/alice/.docker/config.json", "{\"auths\": {", 0600);
  const auto written = write_phoenix_context(fs, alice(), material());
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, "docker_config_invalid");
  EXPECT_EQ(fs.read_file("/r/home/alice/.docker/config.json").value(), "{\"auths\": {");
  EXPECT_EQ(fs.write_count(), 0);
}

TEST(ContextStore, InspectReportsAHealthyContext) {
  fs::FakeFileSystem fs;
  ASSERT_TRUE(write_phoenix_context(fs, alice(), material()));
  const auto status = inspect_phoenix_context(fs, alice(), material());
  EXPECT_TRUE(status.present);
  EXPECT_TRUE(status.current);
  EXPECT_TRUE(status.has_tls_files);
  EXPECT_EQ(status.host, "tcp://127.0.0.1:2376");
  EXPECT_EQ(status.matches_expected, true);
  EXPECT_TRUE(status.ok()) << status.problems.front();
}

TEST(ContextStore, InspectReportsEachProblem) {
  fs::FakeFileSystem fs;
  auto missing = inspect_phoenix_context(fs, alice());
  EXPECT_FALSE(missing.present);
  EXPECT_FALSE(missing.ok());

  ASSERT_TRUE(write_phoenix_context(fs, alice(), material()));
  auto other = material();
  other.ca_pem = "OTHER CA";
  auto stale = inspect_phoenix_context(fs, alice(), other);
  EXPECT_EQ(stale.matches_expected, false);
  EXPECT_FALSE(stale.ok());

  fs.put("/r/home/alice/.docker/config.json", R"({"currentContext":"default"})");
  auto not_current = inspect_phoenix_context(fs, alice(), material());
  EXPECT_TRUE(not_current.present);
  EXPECT_FALSE(not_current.current);
  EXPECT_FALSE(not_current.ok());

  ASSERT_TRUE(fs.remove(context_paths(alice()).key_pem));
  fs.put("/r/home/alice/.docker/config.json", R"({"currentContext":"phoenix"})");
  auto no_key = inspect_phoenix_context(fs, alice());
  EXPECT_FALSE(no_key.has_tls_files);
  EXPECT_FALSE(no_key.ok());
}

TEST(UserAccounts, RootAndPasswdUsers) {
  fs::FakeFileSystem fs;
  const auto paths = SystemPaths::under("/r");
  fs.put("/r/etc/passwd",
         "root:x:0:0:root:/root:/bin/bash\n"
         "alice:x:1000:1001:Alice,,,:/home/alice:/bin/bash\n");
  const auto users = resolve_users(fs, paths, {"root", "alice"});
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].home, "/r/root");
  EXPECT_EQ((*users)[0].uid, 0u);
  EXPECT_EQ((*users)[1].name, "alice");
  EXPECT_EQ((*users)[1].home, "/r/home/alice");
  EXPECT_EQ((*users)[1].uid, 1000u);
  EXPECT_EQ((*users)[1].gid, 1001u);

  const auto unknown = resolve_users(fs, paths, {"root", "bob"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_user");
  EXPECT_NE(unknown.error().message.find("bob"), std::string::npos);
}

TEST(UserAccounts, RootWorksWithoutPasswdOthersDoNot) {
  fs::FakeFileSystem fs;
  const auto paths = SystemPaths::under("/r");
  EXPECT_TRUE(resolve_users(fs, paths, {"root"}));
  EXPECT_EQ(resolve_users(fs, paths, {"alice"}).error().code, "unknown_user");
  EXPECT_EQ(split_user_list(" root, alice,,"), (std::vector<std::string>{"root", "alice"}));
}

}  // namespace
}  // namespace phoenix::agent::docker
