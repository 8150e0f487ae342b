#include "hub/api/hub_config.hpp"

#include "shared/config/config_object.hpp"
#include "shared/fs/fake_file_system.hpp"
#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::api {
namespace {

const std::string kToken = "0123456789abcdef0123";

HubConfig load(const std::string& json, ServeFlags flags = {}) {
  fs::FakeFileSystem fs;
  fs.put("/etc/hub.json", json);
  flags.config = "/etc/hub.json";
  return load_hub_config(fs, flags);
}

std::string error_of(const std::string& json, ServeFlags flags = {}) {
  try {
    load(json, std::move(flags));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(HubConfig, DefaultsWithoutAFile) {
  fs::FakeFileSystem fs;
  const auto config = load_hub_config(fs, {});
  EXPECT_EQ(config.config_path, "");
  EXPECT_EQ(config.api_listen.to_string(), "127.0.0.1:8082");
  EXPECT_TRUE(config.api_tokens.empty());
  EXPECT_EQ(config.driver, "tart");
  EXPECT_EQ(config.tart_path, "/opt/homebrew/bin/tart");
  EXPECT_EQ(config.tart_list_cache.count(), 1000);
  EXPECT_EQ(config.state_dir, "/var/lib/phoenix-hub");
  EXPECT_EQ(config.agent_listen.to_string(), "0.0.0.0:8443");
  EXPECT_FALSE(config.agent_public_url);
}

TEST(HubConfig, ReadsTheSpecExample) {
  const auto config = load(R"({
    "api": {"listen": "0.0.0.0:9000", "tokens": [{"token": ")" + kToken + R"(", "role": "write"}]},
    "agent_endpoint": {"listen": "0.0.0.0:8443", "public_url": "wss://h:8443"},
    "driver": "tart",
    "tart": {"path": "/usr/local/bin/tart", "list_cache_ms": 250},
    "netns": {"bridge": "phx0"}, "swarm": {"managers": 1}, "rotation": {"offline_deadline_s": 3600}
  })");
  EXPECT_EQ(config.api_listen.to_string(), "0.0.0.0:9000");
  ASSERT_EQ(config.api_tokens.size(), 1u);
  EXPECT_EQ(config.api_tokens[0].role, http::Role::write);
  EXPECT_EQ(config.tart_path, "/usr/local/bin/tart");
  EXPECT_EQ(config.tart_list_cache.count(), 250);
  EXPECT_EQ(config.agent_listen.to_string(), "0.0.0.0:8443");
  EXPECT_EQ(config.agent_public_url, "wss://h:8443");
  EXPECT_TRUE(check_api_exposure(config));
}

TEST(HubConfig, FlagsOverrideTheFile) {
  ServeFlags flags;
  flags.api_listen = "127.0.0.1:0";
  flags.tart = "/tmp/fake-tart";
  flags.state_dir = "/tmp/state";
  const auto config = load(R"({"api": {"listen": "127.0.0.1:9000"}, "tart": {"path": "/a/tart"}})", flags);
  EXPECT_EQ(config.api_listen.port, 0);
  EXPECT_EQ(config.tart_path, "/tmp/fake-tart");
  EXPECT_EQ(config.state_dir, "/tmp/state");
}

TEST(HubConfig, RefusesUnknownKeysAndBadValues) {
  EXPECT_NE(error_of(R"({"apii": {}})").find("apii"), std::string::npos);
  EXPECT_NE(error_of(R"({"api": {"listn": "x"}})").find("api.listn"), std::string::npos);
  EXPECT_NE(error_of(R"({"api": {"listen": "localhost:80"}})").find("api.listen"), std::string::npos);
  EXPECT_NE(error_of(R"({"api": {"tokens": [{"token": "short", "role": "write"}]}})").find("too short"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"api": {"tokens": [{"token": ")" + kToken + R"(", "role": "admin"}]}})").find("role"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"tart": {"path": "tart"}})").find("absolute"), std::string::npos);
  EXPECT_NE(error_of(R"({"tart": {"list_cache_ms": -1}})").find("list_cache_ms"), std::string::npos);
  EXPECT_NE(error_of(R"({"driver": "qemu"})").find("driver"), std::string::npos);
  ServeFlags relative;
  relative.tart = "bin/tart";
  EXPECT_NE(error_of("{}", relative).find("--tart"), std::string::npos);
  ServeFlags bad_listen;
  bad_listen.api_listen = "nope";
  EXPECT_NE(error_of("{}", bad_listen).find("--api-listen"), std::string::npos);
}

TEST(HubConfig, AgentEndpointIsReadStrictlyAndTheFlagWins) {
  EXPECT_EQ(load(R"({"agent_endpoint": {"listen": "127.0.0.1:9443"}})").agent_listen.to_string(), "127.0.0.1:9443");
  EXPECT_NE(error_of(R"({"agent_endpoint": {"port": 1}})").find("agent_endpoint.port"), std::string::npos);
  EXPECT_NE(error_of(R"({"agent_endpoint": {"listen": "host:1"}})").find("agent_endpoint.listen"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"agent_endpoint": {"public_url": "https://h:8443"}})").find("agent_endpoint.public_url"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"agent_endpoint": {"public_url": 5}})").find("agent_endpoint.public_url"),
            std::string::npos);
  ServeFlags flags;
  flags.agent_listen = "127.0.0.1:0";
  EXPECT_EQ(load(R"({"agent_endpoint": {"listen": "0.0.0.0:8443"}})", flags).agent_listen.to_string(),
            "127.0.0.1:0");
  flags.agent_listen = "nope";
  EXPECT_NE(error_of("{}", flags).find("--agent-listen"), std::string::npos);
}

TEST(HubConfig, AllowedHostsAndThePublicNameAreTheApiNames) {
  const auto config = load(R"({"api": {"allowed_hosts": ["hub.example", "mac-mini.local."]},
                               "agent_endpoint": {"public_url": "wss://hypervisor.example:8443"}})");
  EXPECT_EQ(api_host_names(config),
            (std::vector<std::string>{"hub.example", "mac-mini.local.", "hypervisor.example"}));
  EXPECT_TRUE(api_host_names(load("{}")).empty());
  const auto error = error_of(R"({"api": {"allowed_hosts": ["http://hub.example:8082"]}})");
  EXPECT_NE(error.find("api.allowed_hosts"), std::string::npos) << error;
  EXPECT_NE(error.find("without scheme or port"), std::string::npos) << error;
  EXPECT_NE(error_of(R"({"api": {"allowed_hosts": "hub.example"}})"), "") << "a list, not a string";
}

// /usr/share/doc/phoenix-hub/examples/hub.json in the Debian package.
TEST(HubConfig, ThePackagedExampleLoads) {
  fs::RealFileSystem fs;
  ServeFlags flags;
  flags.config = PHOENIX_SOURCE_DIR "/packaging/config/hub.json";
  const auto config = load_hub_config(fs, flags);
  EXPECT_EQ(config.driver, "tart");
  EXPECT_EQ(config.agent_public_url, "wss://hypervisor.example:8443");
  EXPECT_TRUE(check_api_exposure(config));
}

TEST(HubConfig, MissingExplicitFileIsAnError) {
  fs::FakeFileSystem fs;
  ServeFlags flags;
  flags.config = "/nope.json";
  EXPECT_THROW(load_hub_config(fs, flags), config::ConfigError);
}

TEST(HubConfig, OpenApiOnlyOnLoopback) {
  auto config = load(R"({"api": {"listen": "0.0.0.0:8082"}})");
  const auto refused = check_api_exposure(config);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "api_unprotected");
  config.api_listen = *http::parse_listen_address("[::1]:8082");
  EXPECT_TRUE(check_api_exposure(config));
  config.api_listen = *http::parse_listen_address("127.0.0.1:8082");
  EXPECT_TRUE(check_api_exposure(config));
}

TEST(HubConfig, LimitsHaveDocumentedDefaultsAndAreBounded) {
  const auto defaults = load("{}");
  EXPECT_EQ(defaults.agent_limits.max_connections, 20'000u);
  EXPECT_EQ(defaults.agent_limits.max_handshakes, 256u);
  EXPECT_EQ(defaults.agent_limits.max_handshakes_per_source, 32u);
  EXPECT_EQ(defaults.agent_limits.tls_handshake_timeout.count(), 10'000);
  EXPECT_EQ(defaults.agent_limits.message_burst, 200);
  EXPECT_EQ(defaults.agent_limits.messages_per_s, 20);
  EXPECT_EQ(defaults.agent_limits.sign_request_burst, 30);
  EXPECT_EQ(defaults.agent_limits.sign_requests_per_min, 10);
  EXPECT_EQ(defaults.agent_limits.blocking_threads, 2u);
  EXPECT_EQ(defaults.agent_limits.blocking_queue_max, 1024u);
  EXPECT_EQ(defaults.api_max_connections, 512u);

  const auto set = load(R"({"agent_endpoint":{"max_handshakes":10,"max_handshakes_per_source":2,
                              "tls_handshake_timeout_ms":500,"messages_per_s":5,"sign_requests_per_min":3},
                            "api":{"max_connections":64}})");
  EXPECT_EQ(set.agent_limits.max_handshakes, 10u);
  EXPECT_EQ(set.agent_limits.max_handshakes_per_source, 2u);
  EXPECT_EQ(set.agent_limits.tls_handshake_timeout.count(), 500);
  EXPECT_EQ(set.agent_limits.messages_per_s, 5);
  EXPECT_EQ(set.agent_limits.sign_requests_per_min, 3);
  EXPECT_EQ(set.api_max_connections, 64u);

  EXPECT_NE(error_of(R"({"agent_endpoint":{"max_handshakes":0}})").find("max_handshakes"), std::string::npos)
      << "0 would turn every agent away";
  EXPECT_NE(error_of(R"({"api":{"max_connections":-1}})").find("max_connections"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::hub::api
