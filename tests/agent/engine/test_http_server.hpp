#pragma once
// An in-test HTTP server for the engine client's unit tests: listens on a unix socket or
// on 127.0.0.1 with TLS (optionally requiring client certs), runs on its own thread, and
// answers each request with the raw bytes its handler returns, so tests control framing
// (chunked, oversized, garbage). An empty answer means "never answer" (deadline tests).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace phoenix::agent::engine::testing {

using TestRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RawHandler = std::function<std::string(const TestRequest&)>;

struct SeenRequest {
  std::string method;
  std::string target;
  std::string host;
  std::string content_type;
  std::string body;
};

class TestHttpServer {
 public:
  // Unix socket at `path` (removed first if stale).
  static std::unique_ptr<TestHttpServer> on_unix_socket(const std::string& path, RawHandler handler);
  // TLS on 127.0.0.1, ephemeral port; `context` decides certs and client verification.
  static std::unique_ptr<TestHttpServer> on_tls(std::shared_ptr<boost::asio::ssl::context> context,
                                                RawHandler handler);

  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::vector<SeenRequest> requests() const;
  std::size_t tls_failures() const;  // handshakes the server side refused

 private:
  explicit TestHttpServer(RawHandler handler) : handler_(std::move(handler)) {}
  std::string answer(const TestRequest& request);
  void start_thread();

  struct Impl;
  RawHandler handler_;
  boost::asio::io_context ioc_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<SeenRequest> requests_;
  std::size_t tls_failures_ = 0;
  std::shared_ptr<boost::asio::ssl::context> tls_context_;
};

// Raw HTTP/1.1 response with a Content-Length body.
std::string http_response(unsigned status, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace phoenix::agent::engine::testing
