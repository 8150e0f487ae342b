#pragma once
// An in-process HttpServer on 127.0.0.1, port 0, run by two io threads, for unit tests of
// the server and the routes. Stops and joins on destruction.
#include "hub/http/http_server.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <thread>
#include <vector>

namespace phoenix::test {

class TestServer {
 public:
  TestServer(hub::http::ServerOptions options, hub::http::RequestHandler handler);
  ~TestServer();

  std::uint16_t port() const { return server_->port(); }
  boost::asio::io_context& io_context() { return ioc_; }
  std::size_t open_connections() const { return server_->open_connections(); }

 private:
  boost::asio::io_context ioc_;
  std::unique_ptr<hub::http::HttpServer> server_;
  std::vector<std::thread> threads_;
};

}  // namespace phoenix::test
