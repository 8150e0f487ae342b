// Mutual TLS against an in-test server on 127.0.0.1: the right client cert is accepted;
// a cert from another CA, no cert, a server cert without our IP SAN, and a server from an
// unknown CA are all refused with tls_handshake_failed. Loopback only, no root.
#include "agent/engine/engine_client.hpp"
#include "agent/engine/server_certificate.hpp"
#include "tests/agent/engine/test_http_server.hpp"
#include "tests/agent/engine/test_pki.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>

namespace phoenix::agent::engine {
namespace {
using namespace std::chrono_literals;
using testing::IssuedCert;
using testing::TestCa;
using testing::TestHttpServer;
namespace http = boost::beast::http;

class TlsClientTest : public ::testing::Test {
 protected:
  TlsClientTest()
      : docker_ca_("phoenix test docker CA"),
        other_ca_("some other CA"),
        server_cert_(docker_ca_.issue("dockerd", {"localhost"}, {"127.0.0.1"}, pki::Usage::server_auth)),
        client_cert_(docker_ca_.issue("docker-client", {}, {}, pki::Usage::client_auth)) {}

  void serve(const IssuedCert& server_cert) {
    server_ = TestHttpServer::on_tls(
        testing::mtls_server_context(server_cert, docker_ca_.cert_pem()),
        [](const testing::TestRequest&) {
          return testing::http_response(200, "OK", {{"Api-Version", "1.41"}});
        });
  }
  TlsMaterial material(const IssuedCert* client, const TestCa& trusted) const {
    TlsMaterial tls;
    tls.ca_pem = trusted.cert_pem();
    if (client != nullptr) {
      tls.cert_pem = client->cert_pem;
      tls.key_pem = client->key_pem;
    }
    return tls;
  }
  Result<HttpResponse> ping(const TlsMaterial& tls, const std::string& host = "127.0.0.1") {
    auto client = HttpClient::create(TlsEndpoint{host, server_->port(), tls}, {.timeout = 5s});
    if (!client) return client.error();
    return client->request(http::verb::get, "/_ping");
  }

  TestCa docker_ca_;
  TestCa other_ca_;
  IssuedCert server_cert_;
  IssuedCert client_cert_;
  std::unique_ptr<TestHttpServer> server_;
};

TEST_F(TlsClientTest, RightClientCertIsAccepted) {
  serve(server_cert_);
  auto response = ping(material(&client_cert_, docker_ca_));
  ASSERT_TRUE(response) << response.error().to_string();
  EXPECT_EQ(response->status, 200u);
  EXPECT_EQ(response->header("Api-Version"), "1.41");
  ASSERT_EQ(server_->requests().size(), 1u);
  EXPECT_EQ(server_->requests()[0].host, "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(TlsClientTest, ClientCertFromAnotherCaIsRefused) {
  serve(server_cert_);
  const IssuedCert stranger = other_ca_.issue("docker-client", {}, {}, pki::Usage::client_auth);
  auto response = ping(material(&stranger, docker_ca_));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "tls_handshake_failed") << response.error().message;
  EXPECT_NE(response.error().message.find("alert"), std::string::npos) << response.error().message;
  EXPECT_EQ(server_->requests().size(), 0u);
  // The client sees the alert before the server's thread has counted its refusal.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server_->tls_failures() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(server_->tls_failures(), 1u);
}

TEST_F(TlsClientTest, NoClientCertIsRefused) {
  serve(server_cert_);
  auto response = ping(material(nullptr, docker_ca_));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "tls_handshake_failed") << response.error().message;
  EXPECT_EQ(server_->requests().size(), 0u);
}

TEST_F(TlsClientTest, ServerFromAnUnknownCaIsRefused) {
  serve(server_cert_);
  auto response = ping(material(&client_cert_, other_ca_));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "tls_handshake_failed");
  EXPECT_NE(response.error().message.find("certificate verify failed"), std::string::npos)
      << response.error().message;
  EXPECT_NE(response.error().message.find("server certificate rejected"), std::string::npos)
      << response.error().message;
}

TEST_F(TlsClientTest, ServerCertWithoutOurIpSanIsRefused) {
  serve(docker_ca_.issue("dockerd", {"vm1.example"}, {"10.0.0.9"}, pki::Usage::server_auth));
  auto response = ping(material(&client_cert_, docker_ca_));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "tls_handshake_failed");
  EXPECT_NE(response.error().message.find("IP address mismatch"), std::string::npos)
      << response.error().message;
}

TEST_F(TlsClientTest, DnsNameIsCheckedAgainstDnsSans) {
  serve(server_cert_);  // SANs: localhost, 127.0.0.1
  auto good = ping(material(&client_cert_, docker_ca_), "localhost");
  ASSERT_TRUE(good) << good.error().to_string();
}

TEST_F(TlsClientTest, SilentPeerTimesOutInTheHandshake) {
  // A listening socket nobody accepts on: the kernel completes TCP, nobody speaks TLS.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto client = HttpClient::create(TlsEndpoint{"127.0.0.1", silent.local_endpoint().port(),
                                               material(&client_cert_, docker_ca_)},
                                   {.timeout = 300ms});
  ASSERT_TRUE(client);
  const auto start = std::chrono::steady_clock::now();
  auto response = client->request(http::verb::get, "/_ping");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "timeout");
  EXPECT_NE(response.error().message.find("TLS handshake"), std::string::npos) << response.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(TlsClientTest, ClosedPortIsConnectFailed) {
  boost::asio::io_context ioc;
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor closed(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = closed.local_endpoint().port();
  }
  auto response = HttpClient::create(TlsEndpoint{"127.0.0.1", port, material(&client_cert_, docker_ca_)})
                      .value()
                      .request(http::verb::get, "/_ping");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, "connect_failed");
  EXPECT_NE(response.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

TEST_F(TlsClientTest, BadPemIsInvalidTlsMaterial) {
  TlsMaterial tls = material(&client_cert_, docker_ca_);
  tls.key_pem = "not a key";
  auto client = HttpClient::create(TlsEndpoint{"127.0.0.1", 1, tls});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, "invalid_tls_material");
  tls = material(&client_cert_, docker_ca_);
  tls.key_pem = docker_ca_.issue("x", {}, {}, pki::Usage::client_auth).key_pem;  // wrong key
  client = HttpClient::create(TlsEndpoint{"127.0.0.1", 1, tls});
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, "invalid_tls_material");
}

TEST_F(TlsClientTest, FetchesTheServedCertificate) {
  serve(server_cert_);
  auto served = fetch_server_certificate("127.0.0.1", server_->port(),
                                         material(&client_cert_, docker_ca_), {.timeout = 5s});
  ASSERT_TRUE(served) << served.error().to_string();
  auto on_disk = describe_certificate_pem(server_cert_.cert_pem);
  ASSERT_TRUE(on_disk) << on_disk.error().to_string();
  EXPECT_EQ(served->serial_hex, on_disk->serial_hex);
  EXPECT_EQ(served->sha256_fingerprint, on_disk->sha256_fingerprint);
  EXPECT_EQ(served->sha256_fingerprint.size(), 64u);
  EXPECT_NE(served->subject.find("CN=dockerd"), std::string::npos);
  EXPECT_GT(served->not_after, std::chrono::system_clock::now());

  // Not trusting the CA: refused when verifying, readable when only probing.
  auto refused = fetch_server_certificate("127.0.0.1", server_->port(),
                                          material(&client_cert_, other_ca_), {.timeout = 5s});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "tls_handshake_failed");
  auto probed = fetch_server_certificate("127.0.0.1", server_->port(),
                                         material(&client_cert_, other_ca_),
                                         {.timeout = 5s, .verify_peer = false});
  ASSERT_TRUE(probed) << probed.error().to_string();
  EXPECT_EQ(probed->serial_hex, on_disk->serial_hex);
}

}  // namespace
}  // namespace phoenix::agent::engine
