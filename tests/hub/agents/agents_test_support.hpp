#pragma once
// Test support for the agent endpoint: a throw-away PKI (identity CA, docker CA, server
// cert), a temp HubStore, an in-process endpoint on port 0 with its own io thread, a log
// capture, and a small Beast HTTPS / WebSocket client with optional client certificate.
// Helpers unwrap Results with value(): a failure aborts the test with the error text.
#include "hub/agents/agent_endpoint.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace phoenix::hub::test {

using namespace std::chrono_literals;

struct KeyAndCert {
  pki::PrivateKey key;
  pki::Certificate cert;
};

struct TestPki {
  TestPki();
  pki::CertificateAuthority identity_ca;
  pki::CertificateAuthority docker_ca;
  KeyAndCert server;  // serverAuth for localhost / 127.0.0.1, signed by the identity CA

  // A leaf for `cn` signed by `ca` at `signed_at` (back- or forward-dated certs).
  static KeyAndCert leaf(const pki::CertificateAuthority& ca, const std::string& cn,
                         pki::Usage usage = pki::Usage::client_auth,
                         pki::TimePoint signed_at = std::chrono::system_clock::now(),
                         std::chrono::seconds lifetime = std::chrono::hours{24});
};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Captures phoenix::log lines for the lifetime of the object.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  // Waits up to `timeout` for a line containing every one of `parts`.
  bool wait_for(const std::vector<std::string>& parts, std::chrono::milliseconds timeout = 1500ms);
  std::string all() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A running endpoint on 127.0.0.1:0 with its own io thread.
class RunningEndpoint {
 public:
  // `docker_trust`: the docker CAs the endpoint signs with (none: docker signing is refused).
  RunningEndpoint(const TestPki& pki, std::shared_ptr<HubStore> store,
                  std::shared_ptr<DockerTrust> docker_trust = nullptr);
  ~RunningEndpoint();  // stop() if still running
  // Posts stop() to the io thread and waits until every connection is closed.
  void stop();
  std::uint16_t port() const { return port_; }
  AgentEndpoint& endpoint() { return *endpoint_; }
  AgentRegistry& registry() { return endpoint_->registry(); }

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<AgentEndpoint> endpoint_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  bool stopped_ = false;
};

struct HttpAnswer {
  unsigned status = 0;
  nlohmann::json body;
};

// One request over server-auth TLS (the client verifies the hub against the identity CA).
Result<HttpAnswer> https_post(std::uint16_t port, const std::string& ca_pem, const std::string& target,
                              const std::string& body);

// A WebSocket client over TLS, with an optional client certificate.
class WsClient {
 public:
  WsClient(std::uint16_t port, const std::string& ca_pem, const KeyAndCert* identity);
  // "tls: …" when the handshake fails, "http 403: {…}" when the upgrade is refused.
  Result<void> connect();
  Result<void> send(const std::string& text);
  // The next text message, or "closed <code>" / "timeout" / the transport error.
  Result<std::string> read(std::chrono::milliseconds timeout = 1500ms);
  // Reads until a message whose JSON `type` is `type` (skipping others).
  Result<nlohmann::json> read_type(const std::string& type, std::chrono::milliseconds timeout = 1500ms);
  int close_code() const { return close_code_; }
  void close();

 private:
  template <class Op>
  Result<void> run(Op&& start, std::chrono::milliseconds timeout);

  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_;
  std::uint16_t port_;
  std::unique_ptr<boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>> ws_;
  boost::beast::flat_buffer buffer_;
  int close_code_ = 0;
};

// Adds a fresh enrollment token for `vm`; returns its secret.
std::string add_token(HubStore& store, const std::string& vm,
                      std::chrono::seconds ttl = std::chrono::hours{1});

// A CSR PEM for `cn` with a new P-256 key (key returned through `key_out` if given).
std::string make_csr(const std::string& cn, pki::PrivateKey* key_out = nullptr);

// Signs an identity for `vm` with the test identity CA and records it as enrolled.
KeyAndCert enroll_directly(const TestPki& pki, HubStore& store, const std::string& vm);

std::string hello_message(const std::string& vm, const std::string& id = "a-1");

}  // namespace phoenix::hub::test
