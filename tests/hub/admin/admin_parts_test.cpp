#include "hub/admin/enroll_secret.hpp"
#include "hub/admin/hub_init.hpp"
#include "hub/admin/hub_paths.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

TEST(EnrollTtl, AcceptsEachUnit) {
  EXPECT_EQ(*parse_enroll_ttl("90s"), 90s);
  EXPECT_EQ(*parse_enroll_ttl("30m"), 30min);
  EXPECT_EQ(*parse_enroll_ttl("1h"), 1h);
  EXPECT_EQ(*parse_enroll_ttl("2d"), 48h);
  EXPECT_EQ(*parse_enroll_ttl("7d"), 168h);
  EXPECT_EQ(*parse_enroll_ttl("604800s"), 168h);
}

TEST(EnrollTtl, RefusesBadOrTooLong) {
  for (const char* bad : {"", "1", "h", "0h", "-1h", "1.5h", "1w", "8d", "169h", "604801s",
                          "99999999999d", "1h ", " 1h"}) {
    auto ttl = parse_enroll_ttl(bad);
    ASSERT_FALSE(ttl) << bad;
    EXPECT_EQ(ttl.error().code, "invalid_ttl");
    EXPECT_NE(ttl.error().message.find("90s, 30m, 1h, 2d"), std::string::npos);
  }
}

TEST(EnrollSecret, IsFreshHexAndHashedAsText) {
  const auto a = new_enroll_secret();
  const auto b = new_enroll_secret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  // sha256("abc") — the hash is over the secret's characters.
  EXPECT_EQ(hash_enroll_secret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HubPaths, FollowTheProtocolDocument) {
  const auto p = hub_paths("/var/lib/phoenix-hub/");
  EXPECT_EQ(p.state_dir, "/var/lib/phoenix-hub");
  EXPECT_EQ(p.identity_ca_cert, "/var/lib/phoenix-hub/ca/identity-ca.pem");
  EXPECT_EQ(p.identity_ca_key, "/var/lib/phoenix-hub/ca/identity-ca.key");
  EXPECT_EQ(p.docker_ca_cert, "/var/lib/phoenix-hub/ca/docker-ca.pem");
  EXPECT_EQ(p.docker_ca_key, "/var/lib/phoenix-hub/ca/docker-ca.key");
  EXPECT_EQ(p.hub_cert, "/var/lib/phoenix-hub/tls/hub-cert.pem");
  EXPECT_EQ(p.hub_key, "/var/lib/phoenix-hub/tls/hub-key.pem");
  EXPECT_EQ(p.database, "/var/lib/phoenix-hub/hub.db");
  EXPECT_EQ(p.logs_dir, "/var/lib/phoenix-hub/logs");
}

TEST(HostOfWssUrl, ExtractsTheHost) {
  EXPECT_EQ(host_of_wss_url("wss://hyper.example:8443"), "hyper.example");
  EXPECT_EQ(host_of_wss_url("wss://hyper.example"), "hyper.example");
  EXPECT_EQ(host_of_wss_url("wss://10.0.0.1:8443/agent/v1"), "10.0.0.1");
  EXPECT_EQ(host_of_wss_url("wss://[::1]:8443"), "::1");
  EXPECT_EQ(host_of_wss_url("https://hyper.example:8443"), "");
  EXPECT_EQ(host_of_wss_url("wss://user@hyper.example:8443"), "");
  EXPECT_EQ(host_of_wss_url("wss://[::1"), "");
  EXPECT_EQ(host_of_wss_url("wss://"), "");
}

TEST(AdminConfig, MissingFileIsNotAnError) {
  fs::FakeFileSystem fs;
  auto config = load_admin_config(fs, "/etc/phoenix/hub.json");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->config_path, "");
  EXPECT_FALSE(config->public_url);
}

TEST(AdminConfig, ReadsPublicUrlAndRefusesBadOnes) {
  fs::FakeFileSystem fs;
  ASSERT_TRUE(fs.write_file_atomic("/etc/phoenix/hub.json", default_hub_config("hyper.example")));
  auto config = load_admin_config(fs, "/etc/phoenix/hub.json");
  ASSERT_TRUE(config);
  EXPECT_EQ(config->public_url, "wss://hyper.example:8443");

  ASSERT_TRUE(fs.write_file_atomic("/etc/phoenix/hub.json",
                                   R"({"agent_endpoint":{"public_url":"http://x:1"}})"));
  auto bad = load_admin_config(fs, "/etc/phoenix/hub.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "config_invalid");
  EXPECT_NE(bad.error().message.find("public_url"), std::string::npos);

  ASSERT_TRUE(fs.write_file_atomic("/etc/phoenix/hub.json", "{not json"));
  EXPECT_EQ(load_admin_config(fs, "/etc/phoenix/hub.json").error().code, "config_invalid");
}

TEST(DefaultHubConfig, HasTheSpecShape) {
  const auto json = nlohmann::json::parse(default_hub_config("hyper.example"));
  EXPECT_EQ(json["api"]["listen"], "127.0.0.1:8082");
  EXPECT_FALSE(json["api"].contains("tokens"));
  EXPECT_EQ(json["agent_endpoint"]["listen"], "0.0.0.0:8443");
  EXPECT_EQ(json["agent_endpoint"]["public_url"], "wss://hyper.example:8443");
  EXPECT_EQ(json["driver"], "tart");
  EXPECT_EQ(nlohmann::json::parse(default_hub_config("fd00::1"))["agent_endpoint"]["public_url"],
            "wss://[fd00::1]:8443");
}

}  // namespace
}  // namespace phoenix::hub
