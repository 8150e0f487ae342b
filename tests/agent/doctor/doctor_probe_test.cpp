#include "agent/doctor/doctor_probe.hpp"

#include "agent/docker/context_store.hpp"
#include "shared/fs/fake_file_system.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::doctor {
namespace {

using namespace std::chrono_literals;

class FakeNetworkProbe final : public NetworkProbe {
 public:
  EngineFacts engine;
  Result<CertSummary> verified = make_error("connect_failed", "connection refused");
  Result<CertSummary> unverified = make_error("connect_failed", "connection refused");
  std::vector<ProbeTls> presented;
  std::vector<std::string> endpoints;

  EngineFacts probe_engine(const std::string& socket_path, std::chrono::milliseconds) override {
    EngineFacts facts = engine;
    facts.socket_path = socket_path;
    return facts;
  }
  Result<CertSummary> served_certificate(const std::string& host, std::uint16_t port, const ProbeTls& tls,
                                         bool verify_peer, std::chrono::milliseconds) override {
    presented.push_back(tls);
    endpoints.push_back(host + ":" + std::to_string(port));
    return verify_peer ? verified : unverified;
  }
};

class DoctorProbe : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = pki::CertificateAuthority::create("docker CA", 24h * 365).value();
    auto server = pki::CertificateAuthority::create("server", 24h * 5).value();  // any cert will do
    ca_pem = ca.certificate().to_pem();
    server_pem = server.certificate().to_pem();
    server_serial = server.certificate().facts().serial_hex;
    fs.put("/r/etc/docker/daemon.json",
           R"({"tls":true,"tlsverify":true,"tlscacert":"/etc/docker/tls/current/ca.pem",
               "tlscert":"/etc/docker/tls/current/server-cert.pem","tlskey":"/etc/docker/tls/current/server-key.pem",
               "hosts":["unix:///var/run/docker.sock","tcp://0.0.0.0:12376"]})");
    fs.put("/r/etc/docker/tls/v1/ca.pem", ca_pem);
    fs.put("/r/etc/docker/tls/v1/server-cert.pem", server_pem);
    fs.put("/r/etc/docker/tls/v1/server-key.pem", "KEY", 0600);
    ASSERT_TRUE(fs.symlink_atomic("v1", "/r/etc/docker/tls/current"));
    options.root = "/r";
    options.docker_socket = "/run/test/docker.sock";
    network.engine = EngineFacts{"", true, "", "1.41", "20.10.24"};
  }

  fs::FakeFileSystem fs;
  FakeNetworkProbe network;
  DoctorOptions options;
  std::string ca_pem, server_pem, server_serial;
  const Clock::time_point now = Clock::now();
};

TEST_F(DoctorProbe, ReadsDaemonJsonCertsThroughTheCurrentSymlink) {
  const auto in = gather_inputs(fs, network, options, now);
  EXPECT_TRUE(in.engine.reachable);
  EXPECT_EQ(in.engine.socket_path, "/run/test/docker.sock");
  EXPECT_TRUE(in.daemon_json.present);
  EXPECT_TRUE(in.daemon_json.settings.tls);
  ASSERT_EQ(in.cert_files.size(), 3u);
  EXPECT_EQ(in.cert_files[0].role, "ca");
  EXPECT_EQ(in.cert_files[0].path, "/etc/docker/tls/current/ca.pem");
  ASSERT_TRUE(in.cert_files[1].cert);
  EXPECT_EQ(in.cert_files[1].cert->serial_hex, server_serial);
  EXPECT_TRUE(in.cert_files[2].is_key);
  EXPECT_EQ(in.cert_files[2].mode, 0600u);
  EXPECT_FALSE(in.unit.found);
  ASSERT_EQ(in.users.size(), 1u);
  EXPECT_FALSE(in.users[0].status.present);
}

TEST_F(DoctorProbe, ProbesTheTlsPortFromDaemonJsonWithTheContextsMaterial) {
  docker::UserAccount root{"root", "/r/root", 0, 0};
  ASSERT_TRUE(docker::write_phoenix_context(fs, root, docker::ContextMaterial{ca_pem, "CLIENT", "CLIENTKEY"}));
  network.verified = CertSummary{server_serial, "server", "ff", now + 24h};
  const auto in = gather_inputs(fs, network, options, now);
  ASSERT_EQ(network.endpoints.size(), 1u);
  EXPECT_EQ(network.endpoints[0], "127.0.0.1:12376");
  EXPECT_EQ(network.presented[0].cert_pem, "CLIENT");
  EXPECT_EQ(in.tls_endpoint.client_material, "the phoenix context of root");
  ASSERT_TRUE(in.tls_endpoint.served);
  ASSERT_TRUE(in.tls_endpoint.on_disk);
  EXPECT_EQ(in.tls_endpoint.on_disk->serial_hex, server_serial);
  EXPECT_TRUE(in.users[0].status.present);
  EXPECT_EQ(in.users[0].ca_matches_daemon, true);
}

TEST_F(DoctorProbe, DaemonJsonPathsAlreadyUnderTheRootAreUsedAsTheyAre) {
  // `docker apply --root /r` writes the prefixed paths so that a test dockerd finds them.
  fs.put("/r/etc/docker/daemon.json",
         R"({"tls":true,"tlsverify":true,"tlscacert":"/r/etc/docker/tls/current/ca.pem",
             "tlscert":"/r/etc/docker/tls/current/server-cert.pem","tlskey":"/r/etc/docker/tls/current/server-key.pem"})");
  const auto in = gather_inputs(fs, network, options, now);
  ASSERT_EQ(in.cert_files.size(), 3u);
  for (const auto& f : in.cert_files) EXPECT_TRUE(f.exists && f.error.empty()) << f.path << " " << f.error;
  ASSERT_TRUE(in.tls_endpoint.on_disk);
  EXPECT_EQ(in.tls_endpoint.on_disk->serial_hex, server_serial);
}

TEST_F(DoctorProbe, AServedCertThatDoesNotVerifyIsStillSeen) {
  network.verified = make_error("tls_handshake_failed", "certificate verify failed");
  network.unverified = CertSummary{"99", "old", "ee", now + 24h};
  options.tls_endpoint = "127.0.0.1:2376";
  const auto in = gather_inputs(fs, network, options, now);
  EXPECT_EQ(network.endpoints.size(), 2u);
  EXPECT_EQ(network.endpoints[0], "127.0.0.1:2376");
  EXPECT_EQ(network.presented[0].ca_pem, ca_pem);
  EXPECT_EQ(network.presented[0].cert_pem, "");
  ASSERT_TRUE(in.tls_endpoint.served);
  EXPECT_EQ(in.tls_endpoint.served->serial_hex, "99");
  EXPECT_EQ(in.tls_endpoint.verify_error, "certificate verify failed");
}

TEST_F(DoctorProbe, NoTlsConfiguredSkipsTheEndpoint) {
  fs.put("/r/etc/docker/daemon.json", R"({"log-driver":"journald"})");
  const auto in = gather_inputs(fs, network, options, now);
  EXPECT_FALSE(in.tls_endpoint.attempted);
  EXPECT_TRUE(network.endpoints.empty());
  EXPECT_TRUE(in.cert_files.empty());
}

TEST_F(DoctorProbe, FixThenRestoreDockerHost) {
  const std::string original = "LANG=C\nDOCKER_HOST=tcp://10.0.0.111:2376\n";
  fs.put("/r/etc/environment", original);
  auto in = gather_inputs(fs, network, options, now);
  ASSERT_EQ(in.docker_host_findings.size(), 1u);
  EXPECT_EQ(in.docker_host_findings[0].line_number, 2);

  options.fix_docker_host = true;
  in = gather_inputs(fs, network, options, now);
  EXPECT_TRUE(in.docker_host_findings.empty());
  ASSERT_EQ(in.actions_done.size(), 1u);
  EXPECT_NE(in.actions_done[0].find("/r/etc/environment:2"), std::string::npos);
  EXPECT_TRUE(in.action_errors.empty());

  options.fix_docker_host = false;
  options.restore_docker_host = true;
  in = gather_inputs(fs, network, options, now);
  EXPECT_EQ(in.docker_host_findings.size(), 1u);
  EXPECT_EQ(fs.read_file("/r/etc/environment").value(), original);
}

TEST_F(DoctorProbe, UnknownUserIsReportedOthersStillChecked) {
  options.users = {"root", "bob"};
  const auto in = gather_inputs(fs, network, options, now);
  EXPECT_NE(in.users_error.find("bob"), std::string::npos);
  ASSERT_EQ(in.users.size(), 1u);
  EXPECT_EQ(in.users[0].user, "root");
}

TEST(DoctorEndpoint, ParsesHostAndPort) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:2376").value(), (std::pair<std::string, std::uint16_t>{"127.0.0.1", 2376}));
  EXPECT_EQ(parse_endpoint("[::1]:2376").value().first, "::1");
  for (const char* bad : {"127.0.0.1", ":2376", "host:", "host:0", "host:70000", "host:12ab", "[::1:2376"}) {
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  }
}

}  // namespace
}  // namespace phoenix::agent::doctor
