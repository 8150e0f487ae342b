// phoenix-agent enroll / run (the real binary) against an in-process hub AgentEndpoint
// with a real store and PKI made by `phoenix-hub init`'s code, over loopback TLS.
#include "agent/channel/identity_store.hpp"
#include "child_process.hpp"
#include "hub/admin/hub_init.hpp"
#include "hub/admin/token_issuer.hpp"
#include "hub/agents/agent_endpoint.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/protocol/enroll_token.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <future>
#include <thread>

namespace phoenix::agent {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

const std::string kAgent = PHOENIX_AGENT_BINARY;

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

class AgentChannelIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/phoenix-channel-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    hub::InitOptions init;
    init.state_dir = dir_ + "/hub";
    init.config_path = dir_ + "/hub.json";
    init.hostname = "";
    auto report = hub::initialize_hub(files_, init);
    ASSERT_TRUE(report) << report.error().to_string();
    paths_ = hub::hub_paths(init.state_dir);
    auto store = hub::HubStore::open(paths_.database);
    ASSERT_TRUE(store) << store.error().to_string();
    store_ = std::shared_ptr<hub::HubStore>(std::move(*store));
    io_thread_ = std::thread([this] { ioc_.run(); });
    state_dir_ = dir_ + "/agent";
    std::filesystem::create_directories(dir_ + "/root");
  }

  void TearDown() override {
    stop_hub();
    work_.reset();
    ioc_.stop();
    if (io_thread_.joinable()) io_thread_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  hub::AgentEndpointConfig endpoint_config(std::chrono::seconds lifetime) {
    hub::AgentEndpointConfig c;
    c.listen_host = "127.0.0.1";
    c.port = port_;
    c.server_cert_chain_pem = files_.read_file(paths_.hub_cert).value();
    c.server_key_pem = files_.read_file(paths_.hub_key).value();
    c.identity_ca_cert_pem = files_.read_file(paths_.identity_ca_cert).value();
    c.identity_ca_key_pem = files_.read_file(paths_.identity_ca_key).value();
    c.docker_ca_pem = files_.read_file(paths_.docker_ca_cert).value();
    c.identity_lifetime = lifetime;
    return c;
  }

  void start_hub(std::chrono::seconds lifetime = std::chrono::hours(24 * 7)) {
    // The previous endpoint's listener closes asynchronously (and a reconnecting agent may
    // hold a half-accepted socket on the port for a moment): retry the bind briefly.
    Result<void> started = make_error("not_started", "");
    for (int attempt = 0; attempt < 50; ++attempt) {
      endpoint_ = std::make_unique<hub::AgentEndpoint>(ioc_, endpoint_config(lifetime), store_);
      started = endpoint_->start();
      if (started || started.error().code != "listen_failed") break;
      endpoint_.reset();
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(started) << started.error().to_string();
    port_ = endpoint_->port();
  }

  void stop_hub() {
    if (!endpoint_) return;
    endpoint_->stop();
    // Let the close handshakes finish on the io thread before the endpoint goes away.
    eventually([this] { return endpoint_->open_connections() == 0; }, 5s);
    endpoint_.reset();
  }

  std::string url() const { return "wss://127.0.0.1:" + std::to_string(port_); }

  std::string token(const std::string& vm = "vm1") {
    auto issued = hub::issue_enroll_token(files_, *store_, paths_.identity_ca_cert, vm, url(), 3600s,
                                          std::chrono::system_clock::now());
    EXPECT_TRUE(issued) << issued.error().to_string();
    return issued ? issued->text : "";
  }

  std::pair<int, std::string> enroll(const std::string& token_text) {
    return testing::run_to_completion({kAgent, "enroll", "--token", token_text, "--state-dir", state_dir_,
                                       "--config", config_file()},
                                      dir_ + "/enroll-" + std::to_string(++runs_) + ".log");
  }

  // An empty agent.json: the test never reads the machine's /etc/phoenix/agent.json.
  std::string config_file() {
    const auto path = dir_ + "/agent.json";
    if (!files_.exists(path)) (void)files_.write_file_atomic(path, "{}\n");
    return path;
  }

  std::unique_ptr<ChildProcess> run_agent() {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{kAgent, "run", "--state-dir", state_dir_, "--config", config_file(), "--root",
                                 dir_ + "/root", "--users", "root", "--docker-socket", dir_ + "/missing.sock",
                                 "--backoff-start-ms", "100", "--backoff-cap-ms", "500", "--state-interval-ms",
                                 "300", "--renewal-retry-ms", "500"},
        dir_ + "/run-" + std::to_string(++runs_) + ".log");
  }

  std::string connected_serial() {
    auto agent = endpoint_ ? endpoint_->registry().find("vm1") : std::nullopt;
    return agent ? agent->cert_serial : "";
  }

  bool connected_with_state() {
    auto agent = endpoint_ ? endpoint_->registry().find("vm1") : std::nullopt;
    return agent && agent->last_state.is_object();
  }

  std::string serial_on_disk() {
    auto pem = files_.read_file(state_dir_ + "/identity/cert.pem");
    if (!pem) return "";
    auto cert = pki::Certificate::from_pem(*pem);
    return cert ? cert->facts().serial_hex : "";
  }

  fs::RealFileSystem files_;
  std::string dir_;
  std::string state_dir_;
  hub::HubPaths paths_;
  std::shared_ptr<hub::HubStore> store_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(ioc_)};
  std::thread io_thread_;
  std::unique_ptr<hub::AgentEndpoint> endpoint_;
  std::uint16_t port_ = 0;
  int runs_ = 0;
};

TEST_F(AgentChannelIntegration, EnrollWritesTheIdentityWithTheRightModes) {
  start_hub();
  auto [code, output] = enroll(token());
  ASSERT_EQ(code, 0) << output;
  EXPECT_NE(output.find("enrolled vm1"), std::string::npos) << output;
  EXPECT_EQ(mode_of(state_dir_), 0700u);
  EXPECT_EQ(mode_of(state_dir_ + "/identity"), 0700u);
  EXPECT_EQ(mode_of(state_dir_ + "/identity/key.pem"), 0600u);
  for (const char* f : {"/identity/cert.pem", "/identity/ca.pem", "/identity/docker-ca.pem", "/hub.json"}) {
    EXPECT_TRUE(files_.exists(state_dir_ + f)) << f;
  }
  auto cert = pki::Certificate::from_pem(files_.read_file(state_dir_ + "/identity/cert.pem").value());
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->facts().subject_cn, "vm1");
  auto record = store_->get_agent("vm1");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->cert_serial, cert->facts().serial_hex);
  // The key never left: what the hub signed belongs to the key on disk.
  auto key = pki::PrivateKey::from_pem(files_.read_file(state_dir_ + "/identity/key.pem").value());
  ASSERT_TRUE(key);
  EXPECT_TRUE(pki::check_key_matches(*cert, *key));
}

TEST_F(AgentChannelIntegration, EnrollRefusesAHubThatDoesNotMatchThePin) {
  start_hub();
  auto decoded = protocol::decode_enroll_token(token());
  ASSERT_TRUE(decoded);
  auto wrong = *decoded;
  wrong.ca_sha256 = std::string(64, 'a');
  auto [code, output] = enroll(protocol::encode_enroll_token(wrong));
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("the hub's CA fingerprint does not match the token"), std::string::npos) << output;
  EXPECT_NE(output.find("check the hub URL"), std::string::npos) << output;
  EXPECT_FALSE(files_.exists(state_dir_ + "/identity"));
  // The secret never reached the hub: the real token still works.
  auto [ok_code, ok_output] = enroll(protocol::encode_enroll_token(*decoded));
  EXPECT_EQ(ok_code, 0) << ok_output;
}

TEST_F(AgentChannelIntegration, EnrollWithASpentTokenPrintsTheHubsReason) {
  start_hub();
  const auto text = token();
  ASSERT_EQ(enroll(text).first, 0);
  auto [code, output] = enroll(text);
  EXPECT_NE(code, 0);
  EXPECT_NE(output.find("token_used"), std::string::npos) << output;
}

TEST_F(AgentChannelIntegration, RunConnectsSurvivesHubAndAgentRestartsAndStopsCleanly) {
  start_hub();
  ASSERT_EQ(enroll(token()).first, 0);
  const auto enrolled_serial = serial_on_disk();
  auto agent = run_agent();
  ASSERT_TRUE(eventually([this] { return connected_with_state(); }, 10s)) << agent->output();
  const auto state = endpoint_->registry().find("vm1")->last_state;
  EXPECT_EQ(state["vm"], "vm1");
  EXPECT_EQ(state["docker"]["reachable"], false);
  EXPECT_FALSE(state["docker"]["error"].get<std::string>().empty());
  EXPECT_EQ(state["certs"]["identity"]["serial"], enrolled_serial);
  EXPECT_EQ(connected_serial(), enrolled_serial);

  // Hub restart on the same port: the agent is back within the (shortened) backoff window.
  stop_hub();
  start_hub();
  ASSERT_TRUE(eventually([this] { return connected_with_state(); }, 5s)) << agent->output();
  auto record = store_->get_agent("vm1");
  ASSERT_TRUE(record && *record);
  EXPECT_TRUE((*record)->connected);
  EXPECT_EQ((*record)->cert_serial, enrolled_serial);

  // Agent killed and restarted: same identity, no re-enrollment.
  agent->signal(SIGKILL);
  ASSERT_TRUE(agent->wait_for_exit(5s));
  ASSERT_TRUE(eventually([this] { return !endpoint_->registry().is_connected("vm1"); }, 35s));
  agent = run_agent();
  ASSERT_TRUE(eventually([this] { return connected_with_state(); }, 10s)) << agent->output();
  EXPECT_EQ(connected_serial(), enrolled_serial);
  EXPECT_EQ(serial_on_disk(), enrolled_serial);

  // SIGTERM: close frame, exit 0.
  agent->signal(SIGTERM);
  auto code = agent->wait_for_exit(5s);
  ASSERT_TRUE(code) << agent->output();
  EXPECT_EQ(*code, 0) << agent->output();
  EXPECT_TRUE(eventually([this] { return !endpoint_->registry().is_connected("vm1"); }, 3s));
}

TEST_F(AgentChannelIntegration, KeepsItsIdentityWhileTheHubIsDownAndRenewsWhenItReturns) {
  // A 20 s identity: with the CA's 5 min back-dating its 70-90 % point is already past.
  start_hub(20s);
  ASSERT_EQ(enroll(token()).first, 0);
  const auto old_serial = serial_on_disk();
  stop_hub();
  auto agent = run_agent();
  std::this_thread::sleep_for(1500ms);  // several reconnect attempts against a closed port
  ASSERT_TRUE(agent->running()) << agent->output();
  EXPECT_EQ(serial_on_disk(), old_serial) << "the identity must survive an unreachable hub";
  start_hub();  // back, now issuing 7-day identities
  ASSERT_TRUE(eventually([&] {
    const auto serial = connected_serial();
    return !serial.empty() && serial != old_serial;
  }, 15s)) << agent->output();
  const auto new_serial = serial_on_disk();
  EXPECT_NE(new_serial, old_serial);
  EXPECT_EQ(connected_serial(), new_serial);
  auto cert = pki::Certificate::from_pem(files_.read_file(state_dir_ + "/identity/cert.pem").value());
  ASSERT_TRUE(cert);
  EXPECT_EQ(cert->facts().subject_cn, "vm1");
  auto key = pki::PrivateKey::from_pem(files_.read_file(state_dir_ + "/identity/key.pem").value());
  ASSERT_TRUE(key);
  EXPECT_TRUE(pki::check_key_matches(*cert, *key));
  EXPECT_FALSE(files_.exists(state_dir_ + "/identity.old"));
  EXPECT_FALSE(files_.exists(state_dir_ + "/identity.new"));
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait_for_exit(5s).value_or(-1), 0) << agent->output();
}

// Under systemd (Type=notify) the agent is READY once its loop runs, hub or no hub: a hub
// that is away at boot must not get the agent killed and restart-looped by the start timeout.
TEST_F(AgentChannelIntegration, TellsSystemdItIsReadyEvenWhileTheHubIsDown) {
  start_hub();
  ASSERT_EQ(enroll(token()).first, 0);
  stop_hub();
  const std::string socket_path = dir_ + "/notify.sock";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setenv("NOTIFY_SOCKET", socket_path.c_str(), 1);
  auto agent = run_agent();
  ::unsetenv("NOTIFY_SOCKET");
  std::string received;
  char buffer[4096];
  while (received.find("READY=1") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n)).push_back('\n');
  }
  ::close(fd);
  EXPECT_NE(received.find("READY=1"), std::string::npos) << received << agent->output();
  EXPECT_NE(received.find("STATUS=started; connecting to the hub"), std::string::npos) << received;
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait_for_exit(5s).value_or(-1), 0) << agent->output();
}

TEST_F(AgentChannelIntegration, AnswersUnknownCommandsAndRenewsOnRequest) {
  start_hub();
  ASSERT_EQ(enroll(token()).first, 0);
  const auto old_serial = serial_on_disk();
  auto agent = run_agent();
  ASSERT_TRUE(eventually([this] { return connected_with_state(); }, 10s)) << agent->output();

  auto ask = [this](protocol::MessageType type) {
    auto answer = std::make_shared<std::promise<Result<nlohmann::json>>>();
    auto future = answer->get_future();
    endpoint_->registry().send_command("vm1", type, nlohmann::json::object(),
                                       [answer](Result<nlohmann::json> r) { answer->set_value(std::move(r)); }, 5s);
    EXPECT_EQ(future.wait_for(6s), std::future_status::ready);
    return future.get();
  };
  // A type this agent does not know: an error reply, and the connection stays.
  auto unknown = ask(protocol::MessageType::unknown);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "unknown_type");
  EXPECT_TRUE(endpoint_->registry().is_connected("vm1"));

  auto renew = ask(protocol::MessageType::renew_identity);
  ASSERT_TRUE(renew) << renew.error().to_string();
  ASSERT_TRUE(eventually([&] {
    const auto serial = connected_serial();
    return !serial.empty() && serial != old_serial && serial == serial_on_disk();
  }, 10s)) << agent->output();
  agent->signal(SIGTERM);
  EXPECT_EQ(agent->wait_for_exit(5s).value_or(-1), 0) << agent->output();
}

TEST_F(AgentChannelIntegration, RunRefusesToStartWhenNotEnrolled) {
  auto [code, output] = testing::run_to_completion(
      {kAgent, "run", "--state-dir", state_dir_, "--config", config_file()}, dir_ + "/not-enrolled.log", 10s);
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("not enrolled"), std::string::npos) << output;
  auto [missing, missing_output] = testing::run_to_completion(
      {kAgent, "run", "--state-dir", state_dir_, "--config", dir_ + "/nope.json"}, dir_ + "/no-config.log", 10s);
  EXPECT_EQ(missing, 2);
  EXPECT_NE(missing_output.find("nope.json"), std::string::npos) << missing_output;
}

}  // namespace
}  // namespace phoenix::agent
