#include "agent/docker/daemon_json.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace phoenix::agent::docker {
namespace {

DaemonTlsSettings settings() {
  DaemonTlsSettings s;
  s.ca_path = "/etc/docker/tls/ca.pem";
  s.cert_path = "/etc/docker/tls/server-cert.pem";
  s.key_path = "/etc/docker/tls/server-key.pem";
  return s;
}

nlohmann::json merged(std::string_view existing, const DaemonTlsSettings& s = settings()) {
  auto text = merge_daemon_json(existing, s);
  EXPECT_TRUE(text.has_value()) << (text ? "" : text.error().to_string());
  return text ? nlohmann::json::parse(*text) : nlohmann::json();
}

TEST(DaemonJson, EmptyFileGivesAFreshObjectWithTlsAndHosts) {
  const auto doc = merged("");
  EXPECT_EQ(doc["tls"], true);
  EXPECT_EQ(doc["tlsverify"], true);
  EXPECT_EQ(doc["tlscacert"], "/etc/docker/tls/ca.pem");
  EXPECT_EQ(doc["tlscert"], "/etc/docker/tls/server-cert.pem");
  EXPECT_EQ(doc["tlskey"], "/etc/docker/tls/server-key.pem");
  EXPECT_EQ(doc["hosts"], nlohmann::json::array({"unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"}));
  EXPECT_EQ(merged("  \n\t")["tls"], true);
}

TEST(DaemonJson, KeepsEveryExistingKey) {
  const auto doc = merged(R"({"log-driver":"journald","registry-mirrors":["https://m.example"],
                              "tls":false,"custom":{"a":[1,2]}})");
  EXPECT_EQ(doc["log-driver"], "journald");
  EXPECT_EQ(doc["registry-mirrors"], nlohmann::json::array({"https://m.example"}));
  EXPECT_EQ(doc["custom"]["a"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(doc["tls"], true);
}

TEST(DaemonJson, KeepsKeyOrderAndIsStableWhenMergedTwice) {
  const auto once = merge_daemon_json("{\"z\":1,\"a\":2}", settings());
  ASSERT_TRUE(once);
  EXPECT_LT(once->find("\"z\""), once->find("\"a\""));
  EXPECT_EQ(once->back(), '\n');
  const auto twice = merge_daemon_json(*once, settings());
  ASSERT_TRUE(twice);
  EXPECT_EQ(*once, *twice);
}

TEST(DaemonJson, HostsReplaceTcpOnTheTlsPortAndKeepOthers) {
  const auto doc = merged(R"({"hosts":["fd://","tcp://10.0.0.5:2376","unix:///var/run/docker.sock",
                                       "tcp://127.0.0.1:2375","unix:///run/other.sock"]})");
  EXPECT_EQ(doc["hosts"], nlohmann::json::array({"unix:///var/run/docker.sock", "tcp://0.0.0.0:2376", "fd://",
                                                 "tcp://127.0.0.1:2375", "unix:///run/other.sock"}));
}

TEST(DaemonJson, CustomSocketAndListener) {
  auto s = settings();
  s.unix_host = "unix:///run/vm1/docker.sock";
  s.tcp_host = "tcp://10.77.0.2:12376";
  const auto doc = merged(R"({"hosts":["tcp://0.0.0.0:12376"]})", s);
  EXPECT_EQ(doc["hosts"], nlohmann::json::array({"unix:///run/vm1/docker.sock", "tcp://10.77.0.2:12376"}));
}

TEST(DaemonJson, WithoutHostsRemovesTheKeySoAUnitWithDashHStillStarts) {
  auto s = settings();
  s.write_hosts = false;
  const auto doc = merged(R"({"hosts":["tcp://0.0.0.0:2376"],"debug":true})", s);
  EXPECT_FALSE(doc.contains("hosts"));
  EXPECT_EQ(doc["debug"], true);
  EXPECT_EQ(doc["tls"], true);
}

TEST(DaemonJson, RefusesInvalidJsonAndNonObjects) {
  for (std::string_view bad : {"{\"log-driver\": ", "[1,2]", "\"text\"", "not json", "{\"hosts\":\"tcp://x\"}",
                               "{\"hosts\":[1]}"}) {
    const auto text = merge_daemon_json(bad, settings());
    ASSERT_FALSE(text) << bad;
    EXPECT_EQ(text.error().code, "daemon_json_invalid") << bad;
    EXPECT_FALSE(read_daemon_tls_settings(bad)) << bad;
  }
}

TEST(DaemonJson, ReadsWhatIsConfigured) {
  const auto report = read_daemon_tls_settings(
      R"({"tls":true,"tlsverify":true,"tlscacert":"/etc/docker/tls/ca.pem","tlscert":"/c","tlskey":"/k",
          "hosts":["fd://","tcp://0.0.0.0:2376"]})");
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->tls);
  EXPECT_TRUE(report->tlsverify);
  EXPECT_EQ(report->tlscacert, "/etc/docker/tls/ca.pem");
  EXPECT_EQ(report->tlscert, "/c");
  EXPECT_EQ(report->tlskey, "/k");
  EXPECT_TRUE(report->has_hosts_key);
  EXPECT_EQ(report->hosts.size(), 2u);

  const auto nothing = read_daemon_tls_settings(R"({"tls":"yes","log-driver":"journald"})");
  ASSERT_TRUE(nothing);
  EXPECT_FALSE(nothing->tls);
  EXPECT_FALSE(nothing->tlsverify);
  EXPECT_FALSE(nothing->tlscert);
  EXPECT_FALSE(nothing->has_hosts_key);
}

TEST(DaemonJson, TcpPortOf) {
  EXPECT_EQ(tcp_port_of("tcp://0.0.0.0:2376"), "2376");
  EXPECT_EQ(tcp_port_of("tcp://[::1]:2376"), "2376");
  EXPECT_EQ(tcp_port_of("tcp://host"), std::nullopt);
  EXPECT_EQ(tcp_port_of("tcp://[::1]"), std::nullopt);
  EXPECT_EQ(tcp_port_of("unix:///var/run/docker.sock"), std::nullopt);
}

}  // namespace
}  // namespace phoenix::agent::docker
