#include "tests/agent/engine/test_http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <unistd.h>

#include <chrono>

namespace phoenix::agent::engine::testing {
namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using net::ip::tcp;
using unix_socket = net::local::stream_protocol;

struct TestHttpServer::Impl {
  template <class Stream>
  static net::awaitable<void> serve(TestHttpServer& self, Stream& stream) {
    boost::beast::flat_buffer buffer;
    TestRequest request;
    error_code ec;
    co_await http::async_read(stream, buffer, request, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return;
    const std::string raw = self.answer(request);
    if (raw.empty()) {  // never answer: hold the connection until the server is destroyed
      net::steady_timer forever(co_await net::this_coro::executor, std::chrono::hours(1));
      co_await forever.async_wait(net::redirect_error(net::use_awaitable, ec));
      co_return;
    }
    co_await net::async_write(stream, net::buffer(raw), net::redirect_error(net::use_awaitable, ec));
  }

  static net::awaitable<void> unix_session(TestHttpServer& self, unix_socket::socket socket) {
    co_await serve(self, socket);
    error_code ignored;
    socket.shutdown(unix_socket::socket::shutdown_both, ignored);
  }

  static net::awaitable<void> unix_accept(TestHttpServer& self, unix_socket::acceptor acceptor) {
    for (;;) {
      error_code ec;
      auto socket = co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      net::co_spawn(acceptor.get_executor(), unix_session(self, std::move(socket)), net::detached);
    }
  }

  static net::awaitable<void> tls_session(TestHttpServer& self, tcp::socket socket) {
    net::ssl::stream<tcp::socket> stream(std::move(socket), *self.tls_context_);
    error_code ec;
    co_await stream.async_handshake(net::ssl::stream_base::server,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      std::lock_guard lock(self.mutex_);
      ++self.tls_failures_;
      co_return;
    }
    co_await serve(self, stream);
    stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
  }

  static net::awaitable<void> tls_accept(TestHttpServer& self, tcp::acceptor acceptor) {
    for (;;) {
      error_code ec;
      auto socket = co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      net::co_spawn(acceptor.get_executor(), tls_session(self, std::move(socket)), net::detached);
    }
  }
};

std::unique_ptr<TestHttpServer> TestHttpServer::on_unix_socket(const std::string& path,
                                                               RawHandler handler) {
  std::unique_ptr<TestHttpServer> server(new TestHttpServer(std::move(handler)));
  ::unlink(path.c_str());
  unix_socket::acceptor acceptor(server->ioc_, unix_socket::endpoint(path));
  net::co_spawn(server->ioc_, Impl::unix_accept(*server, std::move(acceptor)), net::detached);
  server->start_thread();
  return server;
}

std::unique_ptr<TestHttpServer> TestHttpServer::on_tls(std::shared_ptr<net::ssl::context> context,
                                                       RawHandler handler) {
  std::unique_ptr<TestHttpServer> server(new TestHttpServer(std::move(handler)));
  server->tls_context_ = std::move(context);
  tcp::acceptor acceptor(server->ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  server->port_ = acceptor.local_endpoint().port();
  net::co_spawn(server->ioc_, Impl::tls_accept(*server, std::move(acceptor)), net::detached);
  server->start_thread();
  return server;
}

void TestHttpServer::start_thread() {
  thread_ = std::thread([this] { ioc_.run(); });
}

TestHttpServer::~TestHttpServer() {
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string TestHttpServer::answer(const TestRequest& request) {
  SeenRequest seen;
  seen.method = std::string(request.method_string());
  seen.target = std::string(request.target());
  seen.host = std::string(request[http::field::host]);
  seen.content_type = std::string(request[http::field::content_type]);
  seen.body = request.body();
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(seen));
  }
  return handler_(request);
}

std::vector<SeenRequest> TestHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t TestHttpServer::tls_failures() const {
  std::lock_guard lock(mutex_);
  return tls_failures_;
}

std::string http_response(unsigned status, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace phoenix::agent::engine::testing
