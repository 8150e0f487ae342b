#include "tests/hub/agents/agents_test_support.hpp"

#include "shared/core/log.hpp"
#include "shared/pki/digest.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdlib>
#include <filesystem>

namespace phoenix::hub::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr auto kCaLifetime = std::chrono::hours{24 * 3650};

KeyAndCert server_leaf(const pki::CertificateAuthority& ca) {
  auto key = pki::PrivateKey::generate_p256().value();
  auto csr = pki::CertificateRequest::create(key, "localhost", {"localhost"}, {"127.0.0.1"}).value();
  pki::SigningPolicy policy;
  policy.common_name = "localhost";
  policy.dns_names = {"localhost"};
  policy.ip_addresses = {"127.0.0.1"};
  policy.usage = pki::Usage::server_auth;
  policy.lifetime = std::chrono::hours{24};
  return {key, ca.sign(csr, policy).value()};
}

}  // namespace

TestPki::TestPki()
    : identity_ca(pki::CertificateAuthority::create(
                      "Test Identity CA", kCaLifetime,
                      std::chrono::system_clock::now() - std::chrono::hours{24 * 60})
                      .value()),
      docker_ca(pki::CertificateAuthority::create("Test Docker CA", kCaLifetime).value()),
      server(server_leaf(identity_ca)) {}

KeyAndCert TestPki::leaf(const pki::CertificateAuthority& ca, const std::string& cn, pki::Usage usage,
                         pki::TimePoint signed_at, std::chrono::seconds lifetime) {
  auto key = pki::PrivateKey::generate_p256().value();
  auto csr = pki::CertificateRequest::create(key, cn, {cn}, {}).value();
  pki::SigningPolicy policy;
  policy.common_name = cn;
  policy.dns_names = {cn};
  policy.usage = usage;
  policy.lifetime = lifetime;
  return {key, ca.sign(csr, policy, signed_at).value()};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "phoenix-agents-XXXXXX").string();
  if (!mkdtemp(pattern.data())) std::abort();
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

LogCapture::LogCapture() {
  log::set_sink([this](log::Level, std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  });
}

LogCapture::~LogCapture() { log::reset_sink(); }

bool LogCapture::wait_for(const std::vector<std::string>& parts, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      for (const auto& line : lines_) {
        bool all = true;
        for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
        if (all) return true;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

std::string LogCapture::all() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& line : lines_) out += line + "\n";
  return out;
}

RunningEndpoint::RunningEndpoint(const TestPki& pki, std::shared_ptr<HubStore> store,
                                 std::shared_ptr<DockerTrust> docker_trust) {
  AgentEndpointConfig config;
  config.listen_host = "127.0.0.1";
  config.port = 0;
  config.server_cert_chain_pem = pki.server.cert.to_pem();
  config.server_key_pem = pki.server.key.to_pem();
  config.identity_ca_cert_pem = pki.identity_ca.certificate().to_pem();
  config.identity_ca_key_pem = pki.identity_ca.key().to_pem();
  config.docker_ca_pem = pki.docker_ca.certificate().to_pem();
  config.docker_trust = std::move(docker_trust);
  config.tls_handshake_timeout = 2s;
  config.http_timeout = 2s;
  config.websocket_handshake_timeout = 500ms;
  config.idle_timeout = 10s;
  endpoint_ = std::make_unique<AgentEndpoint>(ioc_, config, std::move(store));
  endpoint_->start().value();
  port_ = endpoint_->port();
  thread_ = std::thread([this] { ioc_.run(); });
}

RunningEndpoint::~RunningEndpoint() { stop(); }

void RunningEndpoint::stop() {
  if (stopped_) return;
  stopped_ = true;
  net::post(ioc_, [this] { endpoint_->stop(); });
  thread_.join();
}

namespace {

// Runs `ioc` until `done` or the deadline; on timeout closes `socket` and drains.
template <class Socket>
Result<void> run_until(net::io_context& ioc, Socket& socket, const bool& done,
                       const beast::error_code& result, std::chrono::milliseconds timeout,
                       const std::string& what) {
  ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done && ioc.run_one_until(deadline) > 0) {
  }
  if (!done) {
    beast::error_code ignored;
    socket.close(ignored);
    ioc.restart();
    while (!done && ioc.run_one_for(1s) > 0) {
    }
    return make_error("timeout", what + " timed out");
  }
  if (result) return make_error("io", what + ": " + result.message());
  return ok();
}

}  // namespace

Result<HttpAnswer> https_post(std::uint16_t port, const std::string& ca_pem, const std::string& target,
                              const std::string& body) {
  net::io_context ioc;
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_peer);
  tls.add_certificate_authority(net::buffer(ca_pem));
  beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  auto& socket = beast::get_lowest_layer(stream).socket();

  bool done = false;
  beast::error_code result;
  auto handler = [&](beast::error_code ec, auto&&...) { done = true; result = ec; };

  beast::get_lowest_layer(stream).async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), handler);
  if (auto r = run_until(ioc, socket, done, result, 2s, "connect"); !r) return r.error();
  done = false;
  stream.async_handshake(ssl::stream_base::client, handler);
  if (auto r = run_until(ioc, socket, done, result, 2s, "tls"); !r) return r.error();

  http::request<http::string_body> request(http::verb::post, target, 11);
  request.set(http::field::host, "localhost");
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  done = false;
  http::async_write(stream, request, handler);
  if (auto r = run_until(ioc, socket, done, result, 2s, "write"); !r) return r.error();

  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  done = false;
  http::async_read(stream, buffer, response, handler);
  if (auto r = run_until(ioc, socket, done, result, 2s, "read"); !r) return r.error();
  HttpAnswer answer;
  answer.status = response.result_int();
  answer.body = nlohmann::json::parse(response.body(), nullptr, false);
  return answer;
}

WsClient::WsClient(std::uint16_t port, const std::string& ca_pem, const KeyAndCert* identity)
    : tls_(ssl::context::tls_client), port_(port) {
  tls_.set_verify_mode(ssl::verify_peer);
  tls_.add_certificate_authority(net::buffer(ca_pem));
  if (identity) {
    const auto cert = identity->cert.to_pem();
    const auto key = identity->key.to_pem();
    tls_.use_certificate(net::buffer(cert), ssl::context::pem);
    tls_.use_private_key(net::buffer(key), ssl::context::pem);
  }
}

template <class Op>
Result<void> WsClient::run(Op&& start, std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code result;
  start([&](beast::error_code ec, auto&&...) { done = true; result = ec; });
  return run_until(ioc_, beast::get_lowest_layer(*ws_).socket(), done, result, timeout, "operation");
}

Result<void> WsClient::connect() {
  ws_ = std::make_unique<beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>>>(ioc_, tls_);
  ws_->next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(ws_->next_layer().native_handle(), "localhost");
  auto r = run([&](auto h) {
    beast::get_lowest_layer(*ws_).async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port_), h);
  }, 2s);
  if (!r) return r.error();
  r = run([&](auto h) { ws_->next_layer().async_handshake(ssl::stream_base::client, h); }, 2s);
  if (!r) return make_error("tls", r.error().message);
  beast::websocket::response_type response;
  r = run([&](auto h) { ws_->async_handshake(response, "localhost", "/agent/v1", h); }, 2s);
  if (!r) {
    if (response.result_int() != 0 && response.result_int() != 101) {
      return make_error("http", std::to_string(response.result_int()) + ": " + response.body());
    }
    return make_error("refused", r.error().message);
  }
  return ok();
}

Result<void> WsClient::send(const std::string& text) {
  ws_->text(true);
  return run([&](auto h) { ws_->async_write(net::buffer(text), h); }, 3s);
}

Result<std::string> WsClient::read(std::chrono::milliseconds timeout) {
  bool done = false;
  beast::error_code result;
  ws_->async_read(buffer_, [&](beast::error_code ec, std::size_t) { done = true; result = ec; });
  auto r = run_until(ioc_, beast::get_lowest_layer(*ws_).socket(), done, result, timeout, "read");
  // The close frame's code is kept even when answering it failed (the hub may already
  // have torn the connection down).
  if (result && ws_->reason().code != 0) {
    close_code_ = ws_->reason().code;
    return make_error("closed", std::to_string(close_code_));
  }
  if (!r) return r.error();
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  return text;
}

Result<nlohmann::json> WsClient::read_type(const std::string& type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return make_error("timeout", "no " + type + " message");
    auto text = read(left);
    if (!text) return text.error();
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_object() && json.value("type", "") == type) return json;
  }
}

void WsClient::close() {
  if (!ws_ || !ws_->is_open()) return;
  (void)run([&](auto h) { ws_->async_close(beast::websocket::close_code::normal, h); }, 1s);
}

std::string add_token(HubStore& store, const std::string& vm, std::chrono::seconds ttl) {
  const auto secret = pki::random_token(32);
  const auto now = std::chrono::system_clock::now();
  store.add_token(pki::sha256_hex(secret), vm, now, now + ttl).value();
  return secret;
}

std::string make_csr(const std::string& cn, pki::PrivateKey* key_out) {
  auto key = pki::PrivateKey::generate_p256().value();
  auto csr = pki::CertificateRequest::create(key, cn, {cn}, {}).value();
  if (key_out) *key_out = key;
  return csr.to_pem();
}

KeyAndCert enroll_directly(const TestPki& pki, HubStore& store, const std::string& vm) {
  auto identity = TestPki::leaf(pki.identity_ca, vm);
  const auto facts = identity.cert.facts();
  store.record_enrollment(vm, facts.serial_hex, facts.not_after, std::chrono::system_clock::now()).value();
  return identity;
}

std::string hello_message(const std::string& vm, const std::string& id) {
  nlohmann::json body = {{"agent_version", "0.1.0"}, {"vm", vm}, {"docker", {{"reachable", true}}},
                         {"test_hello_id", id}};
  return nlohmann::json{{"v", 1}, {"type", "hello"}, {"id", id}, {"body", body}}.dump();
}

}  // namespace phoenix::hub::test
