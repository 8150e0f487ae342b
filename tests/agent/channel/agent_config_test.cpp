#include "agent/channel/agent_config.hpp"
#include "shared/config/config_object.hpp"
#include "shared/fs/fake_file_system.hpp"
#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

TEST(AgentConfigTest, MissingDefaultFileMeansDefaults) {
  fs::FakeFileSystem fs;
  const auto config = load_agent_config(fs, kDefaultAgentConfigPath, false);
  EXPECT_EQ(config.state_dir, "/var/lib/phoenix-agent");
  EXPECT_EQ(config.docker_socket, "/var/run/docker.sock");
  EXPECT_EQ(config.users, std::vector<std::string>{"root"});
  EXPECT_EQ(config.root, "");
}

// The Debian package's /etc/phoenix/agent.json: the defaults written out, nothing else.
TEST(AgentConfigTest, ThePackagedConfigIsTheDefaults) {
  fs::RealFileSystem fs;
  const auto shipped = load_agent_config(fs, PHOENIX_SOURCE_DIR "/packaging/config/agent.json", true);
  const AgentConfig defaults;
  EXPECT_EQ(shipped.state_dir, defaults.state_dir);
  EXPECT_EQ(shipped.docker_socket, defaults.docker_socket);
  EXPECT_EQ(shipped.users, defaults.users);
  EXPECT_EQ(shipped.root, defaults.root);
  EXPECT_EQ(shipped.docker.listen, defaults.docker.listen);
  EXPECT_EQ(shipped.docker.restart_commands, defaults.docker.restart_commands);
  EXPECT_EQ(shipped.docker.verify_timeout, defaults.docker.verify_timeout);
}

TEST(AgentConfigTest, MissingExplicitFileIsAnError) {
  fs::FakeFileSystem fs;
  EXPECT_THROW(load_agent_config(fs, "/etc/phoenix/other.json", true), config::ConfigError);
}

TEST(AgentConfigTest, ReadsEveryKey) {
  fs::FakeFileSystem fs;
  fs.put("/c.json", R"({"state_dir":"/s","docker_socket":"/d.sock","users":["root","alice"],"root":"/r"})");
  const auto config = load_agent_config(fs, "/c.json", true);
  EXPECT_EQ(config.state_dir, "/s");
  EXPECT_EQ(config.docker_socket, "/d.sock");
  EXPECT_EQ(config.users, (std::vector<std::string>{"root", "alice"}));
  EXPECT_EQ(config.root, "/r");
}

TEST(AgentConfigTest, StrictAboutKeysAndTypes) {
  fs::FakeFileSystem fs;
  fs.put("/typo.json", R"({"state-dir":"/s"})");
  fs.put("/type.json", R"({"users":"root"})");
  fs.put("/empty.json", R"({"users":[]})");
  fs.put("/bad.json", "{");
  for (const char* path : {"/typo.json", "/type.json", "/empty.json", "/bad.json"}) {
    try {
      load_agent_config(fs, path, true);
      ADD_FAILURE() << path << " was accepted";
    } catch (const config::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

TEST(AgentConfigTest, DockerSectionSetsHowRotationsApply) {
  fs::FakeFileSystem fs;
  fs.put("/c.json", R"({"docker":{"listen":"tcp://127.0.0.1:12376",
    "restart_commands":["systemctl daemon-reload","/usr/bin/restart 'docker service'"],"verify_timeout_s":45}})");
  const auto config = load_agent_config(fs, "/c.json", true);
  EXPECT_EQ(config.docker.listen, "tcp://127.0.0.1:12376");
  EXPECT_EQ(config.docker.restart_commands,
            (std::vector<std::vector<std::string>>{{"systemctl", "daemon-reload"}, {"/usr/bin/restart", "docker service"}}));
  EXPECT_EQ(config.docker.verify_timeout, std::chrono::seconds(45));
  EXPECT_TRUE(load_agent_config(fs, kDefaultAgentConfigPath, false).docker.restart_commands.empty());
}

TEST(AgentConfigTest, DockerSectionIsStrict) {
  fs::FakeFileSystem fs;
  fs.put("/typo.json", R"({"docker":{"restart_command":"x"}})");
  fs.put("/listen.json", R"({"docker":{"listen":"http://x"}})");
  fs.put("/quote.json", R"({"docker":{"restart_commands":["sh -c 'unterminated"]}})");
  fs.put("/timeout.json", R"({"docker":{"verify_timeout_s":0}})");
  for (const char* path : {"/typo.json", "/listen.json", "/quote.json", "/timeout.json"}) {
    try {
      load_agent_config(fs, path, true);
      ADD_FAILURE() << path << " was accepted";
    } catch (const config::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("docker."), std::string::npos) << path << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace phoenix::agent
