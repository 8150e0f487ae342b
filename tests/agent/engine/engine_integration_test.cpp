// The engine client against a real dockerd 20.10 (Debian docker.io), started by
// DockerdFixture as root: the unix socket with version negotiation and /info, the restart
// command, and a TLS tcp listener in a network namespace that answers mutual TLS, refuses
// a client without a cert, and tells plain HTTP "Client sent an HTTP request to an HTTPS
// server." (the DOCKER_HOST failure Phoenix exists to catch). Skipped unless root.
#include "agent/engine/api_version.hpp"
#include "agent/engine/engine_client.hpp"
#include "agent/engine/server_certificate.hpp"
#include "tests/agent/engine/test_pki.hpp"
#include "tests/support/dockerd_fixture.hpp"
#include "tests/support/host_commands.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace phoenix::agent::engine {
namespace {
using namespace std::chrono_literals;
using test::DockerdFixture;
using test::DockerdOptions;
namespace http = boost::beast::http;

#define SKIP_WITHOUT_DOCKERD() PHOENIX_SKIP_WITHOUT_DOCKERD()

int run_program(const std::string& path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(EngineIntegration, NegotiatesAndReadsInfoOverTheUnixSocket) {
  SKIP_WITHOUT_DOCKERD();
  DockerdFixture dockerd(DockerdOptions{.name = "unix"});
  auto started = dockerd.start();
  ASSERT_TRUE(started) << started.error().to_string();

  auto engine = EngineClient::for_unix_socket(dockerd.socket_path()).value();
  auto ping = engine.ping();
  ASSERT_TRUE(ping) << ping.error().to_string();
  EXPECT_EQ(ping->os_type, "linux");
  EXPECT_EQ(ping->negotiated_version, negotiate_api_version(ping->server_api_version));
  auto version = engine.version();
  ASSERT_TRUE(version) << version.error().to_string();
  if (version->value("Version", "").starts_with("20.10.")) {
    EXPECT_EQ(ping->server_api_version, "1.41");
    EXPECT_EQ(ping->negotiated_version, "1.41");
  }
  auto info = engine.info();
  ASSERT_TRUE(info) << info.error().to_string();
  EXPECT_EQ((*info)["Swarm"]["LocalNodeState"], "inactive");
  EXPECT_EQ((*info)["DockerRootDir"], dockerd.data_root());

  auto swarm = engine.get("/swarm");  // not a manager: dockerd's own message comes through
  ASSERT_FALSE(swarm);
  EXPECT_EQ(swarm.error().code, "http_error");
  EXPECT_NE(swarm.error().message.find("not a swarm manager"), std::string::npos)
      << swarm.error().message;
}

TEST(EngineIntegration, RestartCommandRestartsTheDaemon) {
  SKIP_WITHOUT_DOCKERD();
  DockerdFixture dockerd(DockerdOptions{.name = "restart"});
  ASSERT_TRUE(dockerd.start());
  const int before = dockerd.pid();
  ASSERT_GT(before, 0);
  ASSERT_EQ(run_program(dockerd.restart_command()), 0) << dockerd.log_tail();
  const int after = dockerd.pid();
  EXPECT_GT(after, 0);
  EXPECT_NE(after, before);
  auto engine = EngineClient::for_unix_socket(dockerd.socket_path()).value();
  EXPECT_TRUE(engine.ping());
  ASSERT_TRUE(dockerd.stop());
  auto down = EngineClient::for_unix_socket(dockerd.socket_path()).value().ping();
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, "connect_failed");
}

TEST(EngineIntegration, TeardownRemovesEverything) {
  SKIP_WITHOUT_DOCKERD();
  std::string dir, netns;
  int pid = 0;
  {
    DockerdFixture dockerd(DockerdOptions{.name = "teardown", .own_network_namespace = true});
    auto started = dockerd.start();
    ASSERT_TRUE(started) << started.error().to_string();
    dir = dockerd.dir();
    netns = dockerd.netns_name();
    pid = dockerd.pid();
    ASSERT_TRUE(std::filesystem::exists("/var/run/netns/" + netns));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(std::filesystem::exists("/var/run/netns/" + netns));
  EXPECT_FALSE(test::host::alive(pid));  // gone, or a zombie its reaper has yet to collect
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) EXPECT_EQ(line.find(dir), std::string::npos) << line;
}

TEST(EngineIntegration, FailedStartIsReportedAndStillCleanedUp) {
  SKIP_WITHOUT_DOCKERD();
  std::string dir;
  {
    DockerdFixture dockerd(DockerdOptions{.name = "bad-config", .daemon_json = R"({"no-such-option": 1})"});
    dir = dockerd.dir();
    auto started = dockerd.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, "dockerd_start_failed");
    EXPECT_NE(started.error().message.find("no-such-option"), std::string::npos)
        << started.error().message;
    EXPECT_EQ(dockerd.pid(), 0);
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

class TlsDockerd : public ::testing::Test {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_DOCKERD();
    // The daemon.json is written after the namespace exists, so the cert can name its IP.
    dockerd_ = std::make_unique<DockerdFixture>(DockerdOptions{
        .name = "tls", .own_network_namespace = true, .daemon_json = "{}"});
  }

  // Starts dockerd with TLS on tcp://0.0.0.0:2376 inside its namespace.
  void start_with_tls() {
    ASSERT_TRUE(dockerd_->start());  // plain first: sets up the namespace, learns the address
    address_ = dockerd_->address();
    ASSERT_FALSE(address_.empty());
    server_ = ca_.issue("dockerd", {"localhost"}, {address_, "127.0.0.1"}, pki::Usage::server_auth);
    const std::string tls_dir = dockerd_->dir() + "/tls";
    std::filesystem::create_directories(tls_dir);
    std::ofstream(tls_dir + "/ca.pem") << ca_.cert_pem();
    std::ofstream(tls_dir + "/cert.pem") << server_.cert_pem;
    std::ofstream(tls_dir + "/key.pem") << server_.key_pem;
    const nlohmann::json config = {
        {"hosts", {"unix://" + dockerd_->socket_path(), "tcp://0.0.0.0:2376"}},
        {"tls", true},
        {"tlsverify", true},
        {"tlscacert", tls_dir + "/ca.pem"},
        {"tlscert", tls_dir + "/cert.pem"},
        {"tlskey", tls_dir + "/key.pem"}};
    std::ofstream(dockerd_->config_file()) << config.dump(2);
    auto restarted = dockerd_->restart();
    ASSERT_TRUE(restarted) << restarted.error().to_string();
  }

  TlsMaterial client_material(bool with_cert) const {
    TlsMaterial tls{ca_.cert_pem(), "", ""};
    if (with_cert) {
      tls.cert_pem = client_.cert_pem;
      tls.key_pem = client_.key_pem;
    }
    return tls;
  }

  testing::TestCa ca_{"phoenix integration docker CA"};
  testing::IssuedCert server_;
  testing::IssuedCert client_ = ca_.issue("docker-client", {}, {}, pki::Usage::client_auth);
  std::string address_;
  std::unique_ptr<DockerdFixture> dockerd_;
};

TEST_F(TlsDockerd, AnswersMutualTlsAndRefusesOtherClients) {
  start_with_tls();
  if (HasFatalFailure()) return;

  auto tls_client = HttpClient::create(TlsEndpoint{address_, 2376, client_material(true)}, {.timeout = 10s});
  ASSERT_TRUE(tls_client) << tls_client.error().to_string();
  EngineClient engine(std::move(*tls_client));
  auto ping = engine.ping();
  ASSERT_TRUE(ping) << ping.error().to_string() << "\n" << dockerd_->log_tail();
  EXPECT_FALSE(ping->server_api_version.empty());
  auto info = engine.info();
  ASSERT_TRUE(info) << info.error().to_string();

  auto served = fetch_server_certificate(address_, 2376, client_material(true), {.timeout = 10s});
  ASSERT_TRUE(served) << served.error().to_string();
  EXPECT_EQ(served->sha256_fingerprint, describe_certificate_pem(server_.cert_pem)->sha256_fingerprint);

  auto no_cert = HttpClient::create(TlsEndpoint{address_, 2376, client_material(false)}, {.timeout = 10s})
                     .value()
                     .request(http::verb::get, "/_ping");
  ASSERT_FALSE(no_cert);
  EXPECT_EQ(no_cert.error().code, "tls_handshake_failed") << no_cert.error().message;

  // What a docker client with DOCKER_HOST=tcp://VM:2376 and no TLS config sees.
  auto plain = HttpClient::create(TcpEndpoint{address_, 2376}, {.timeout = 10s})
                   .value()
                   .request(http::verb::get, "/_ping");
  ASSERT_TRUE(plain) << plain.error().to_string();
  EXPECT_EQ(plain->status, 400u);
  EXPECT_NE(plain->body.find("Client sent an HTTP request to an HTTPS server."), std::string::npos)
      << plain->body;

  // The unix socket keeps working next to the TLS listener.
  EXPECT_TRUE(EngineClient::for_unix_socket(dockerd_->socket_path()).value().ping());
}

}  // namespace
}  // namespace phoenix::agent::engine
