// The hub's own server cert over its lifetime, with the real binaries on loopback: a hub
// whose cert is in its renewal window renews it on start, one whose window opens while it
// runs renews it then and serves the new cert to new handshakes without dropping the live
// channel, and an enrolled phoenix-agent (which pins the identity CA, not the leaf) keeps
// working with its first identity: nobody enrolls again. /health and /metrics report the ends.
// The aged certs are made with the hub's own functions (issue_hub_server_cert, back-dated).
#include "hub/admin/hub_paths.hpp"
#include "hub/admin/server_cert_renewal.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/e2e/loopback_hub_config.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <filesystem>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
constexpr std::chrono::hours kDay{24};

// The serial of the cert the agent endpoint presents to a new TLS handshake.
std::string served_serial(std::uint16_t port) {
  namespace net = boost::asio;
  net::io_context ioc;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);  // only looking at what is presented
  net::ssl::stream<net::ip::tcp::socket> stream(ioc, tls);
  boost::system::error_code ec;
  stream.lowest_layer().connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return "handshake failed: " + ec.message();
  pki::X509Ptr peer(SSL_get1_peer_certificate(stream.native_handle()));
  if (!peer) return "no certificate";
  return pki::Certificate(std::move(peer)).facts().serial_hex;
}

class CertRenewalE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    agent_port_ = free_port();
    std::filesystem::create_directories(tart_home_);
    ASSERT_EQ(run_program({FAKE_TART_BINARY, "create", "vm1", "--linux"}, {{"TART_HOME", tart_home_}}), 0);
    write_text_file(config_, loopback_hub_config(api_port_, agent_port_).dump(2));
    ASSERT_EQ(init_hub_state(state_, config_), 0);
    start_hub();
    // Enrolled and connected once, with the cert init made.
    const auto out = dir_.path() + "/token.out";
    ASSERT_EQ(run_program_output({PHOENIX_HUB_BINARY, "token", "create", "--vm", "vm1", "--state-dir", state_,
                                  "--config", config_},
                                 out, dir_.path() + "/token.err"),
              0);
    auto text = read_text_file(out);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    const auto token = text.substr(text.rfind('\n') + 1);
    std::filesystem::create_directories(agent_ + "/root");
    write_text_file(agent_ + "/agent.json", "{}\n");
    ASSERT_EQ(run_program_output({PHOENIX_AGENT_BINARY, "enroll", "--token", token, "--state-dir", agent_ + "/state",
                                  "--config", agent_ + "/agent.json"},
                                 agent_ + "/enroll.out", agent_ + "/enroll.err"),
              0)
        << read_text_file(agent_ + "/enroll.err");
    agent_process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PHOENIX_AGENT_BINARY, "run", "--state-dir", agent_ + "/state", "--config",
                                 agent_ + "/agent.json", "--root", agent_ + "/root", "--users", "root",
                                 "--docker-socket", agent_ + "/missing-docker.sock", "--backoff-start-ms", "100",
                                 "--backoff-cap-ms", "500", "--state-interval-ms", "300"},
        Env{}, agent_ + "/run.log");
    ASSERT_TRUE(eventually([&] { return connected(); }, 15s)) << agent().dump();
    identity_serial_ = agent().value("cert_serial", "");
    ASSERT_FALSE(identity_serial_.empty());
  }

  void TearDown() override {
    if (HasFailure()) {
      if (hub_) std::cerr << "--- hub log ---\n" << hub_->log();
      if (agent_process_) std::cerr << "--- agent log ---\n" << agent_process_->log();
    }
    agent_process_.reset();
    hub_.reset();
  }

  void start_hub() {
    hub_ = std::make_unique<HubProcess>(std::vector<std::string>{"--config", config_, "--state-dir", state_},
                                        Env{{"TART_HOME", tart_home_}},
                                        dir_.path() + "/hub-" + std::to_string(++hub_starts_) + ".log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }

  HttpReply get(const std::string& target) { return http_call(api_port_, "GET", target, {}, "", 10s); }
  json agent() { return get("/agents/vm1").json(); }
  bool connected() { return agent().value("connected", false); }

  // Replaces the hub's server cert (same names, new key) with one signed at `signed_at`, as the
  // hub's renewal would have made it then. Returns its serial.
  std::string age_server_cert(pki::TimePoint signed_at) {
    fs::RealFileSystem files;
    const auto ca = pki::CertificateAuthority::load(files.read_file(paths_.identity_ca_cert).value(),
                                                    files.read_file(paths_.identity_ca_key).value())
                        .value();
    const auto current = pki::certificates_from_pem(files.read_file(paths_.hub_cert).value()).value().front().facts();
    const auto aged = hub::issue_hub_server_cert(ca, {current.dns_names.begin(), current.dns_names.end()},
                                                 {current.ip_addresses.begin(), current.ip_addresses.end()},
                                                 hub::kHubServerCertLifetime, signed_at)
                          .value();
    EXPECT_TRUE(files.write_file_atomic(paths_.hub_key, aged.key.to_pem(), fs::WriteOptions{.mode = 0600}));
    EXPECT_TRUE(files.write_file_atomic(paths_.hub_cert, aged.cert.to_pem() + ca.certificate().to_pem()));
    return aged.cert.facts().serial_hex;
  }

  pki::CertFacts cert_on_disk() {
    return pki::certificates_from_pem(read_text_file(paths_.hub_cert)).value().front().facts();
  }

  static std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
  }

  TempDir dir_;
  std::string tart_home_ = dir_.path() + "/tart";
  std::string state_ = dir_.path() + "/hub-state";
  std::string config_ = dir_.path() + "/hub.json";
  std::string agent_ = dir_.path() + "/agent-vm1";
  hub::HubPaths paths_ = hub::hub_paths(state_);
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  int hub_starts_ = 0;
  std::unique_ptr<HubProcess> hub_;
  std::unique_ptr<ChildProcess> agent_process_;
  std::string identity_serial_;
};

TEST_F(CertRenewalE2eTest, ACertInItsRenewalWindowIsRenewedOnStartAndTheAgentComesBackWithoutEnrolling) {
  const auto names = cert_on_disk().dns_names;
  hub_.reset();
  // Signed 360 days ago for a year: five days left, deep in the last third.
  const auto aged = age_server_cert(std::chrono::system_clock::now() - 360 * kDay);
  ASSERT_LT(cert_on_disk().not_after, std::chrono::system_clock::now() + 6 * kDay);
  start_hub();

  EXPECT_NE(hub_->log().find("renewed the agent endpoint's server cert"), std::string::npos) << hub_->log();
  const auto renewed = cert_on_disk();
  EXPECT_NE(renewed.serial_hex, aged);
  EXPECT_GT(renewed.not_after, std::chrono::system_clock::now() + 360 * kDay);
  EXPECT_EQ(renewed.dns_names, names) << "the names agents dial are kept";
  struct stat st {};
  ASSERT_EQ(::stat(paths_.hub_key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(served_serial(agent_port_), renewed.serial_hex);

  // The agent, still on its first identity, trusts the new cert through the pinned CA.
  EXPECT_TRUE(eventually([&] { return connected(); }, 15s)) << agent().dump();
  EXPECT_EQ(agent().value("cert_serial", ""), identity_serial_) << "a new enrollment would have a new serial";

  const auto health = get("/health");
  EXPECT_EQ(health.status, 200) << health.body;
  EXPECT_EQ(health.json()["status"], "ok") << health.body;
  EXPECT_GE(health.json()["certificates"]["hub-server"]["days_left"].get<int>(), 364) << health.body;
}

TEST_F(CertRenewalE2eTest, ACertWhoseWindowOpensWhileServingIsRenewedAndLiveChannelsStay) {
  hub_.reset();
  // Lifetime L = 365 d + the 5 min of clock-skew allowance before "signed_at"; the window
  // opens L/3 before the end. Signed so that it opens 8 s after now (the hub starts before).
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(365 * kDay + 5min);
  const auto signed_at = std::chrono::system_clock::now() + 8s - 365 * kDay + lifetime / 3;
  const auto aged = age_server_cert(signed_at);
  start_hub();
  EXPECT_EQ(hub_->log().find("renewed the agent endpoint"), std::string::npos) << "not due yet at start:\n" << hub_->log();
  EXPECT_EQ(served_serial(agent_port_), aged);
  ASSERT_TRUE(eventually([&] { return connected(); }, 15s)) << agent().dump();
  // About 122 days left: not yet a warning.
  const auto before = get("/health");
  EXPECT_EQ(before.status, 200);
  EXPECT_EQ(before.json()["status"], "ok") << before.body;
  EXPECT_EQ(before.json()["certificates"]["hub-server"]["days_left"], 121) << before.body;

  // The timer fires at the window (at least 10 s after start).
  ASSERT_TRUE(eventually([&] { return hub_->log().find("renewed the agent endpoint's server cert") != std::string::npos; },
                         30s))
      << hub_->log();
  const auto renewed = cert_on_disk();
  EXPECT_NE(renewed.serial_hex, aged);
  EXPECT_EQ(served_serial(agent_port_), renewed.serial_hex) << "new handshakes get the new cert";
  // The agent's channel from before the renewal was not dropped.
  EXPECT_TRUE(connected());
  EXPECT_EQ(count(hub_->log(), "agent vm1 connected from"), 1u) << hub_->log();
  const auto after = get("/health").json();
  EXPECT_EQ(after["certificates"]["hub-server"]["days_left"], 364) << after.dump();
  EXPECT_EQ(after["certificates"]["identity-ca"]["status"], "ok") << after.dump();
  const auto metrics = get("/metrics").body;
  const std::string gauge = "phoenix_certificate_expiry_seconds{cert=\"hub-server\"} ";
  const auto at = metrics.find(gauge);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GT(std::stod(metrics.substr(at + gauge.size(), 20)), 364.0 * 86400) << metrics.substr(at, 80);
  EXPECT_NE(metrics.find("phoenix_certificate_expiry_seconds{cert=\"identity-ca\"}"), std::string::npos);
  EXPECT_NE(metrics.find("phoenix_certificate_expiry_seconds{cert=\"docker-ca\"}"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::test
