#include "tests/hub/http/support/test_server.hpp"

#include <stdexcept>

namespace phoenix::test {

TestServer::TestServer(hub::http::ServerOptions options, hub::http::RequestHandler handler) {
  options.host = "127.0.0.1";
  options.port = 0;
  server_ = std::make_unique<hub::http::HttpServer>(ioc_, std::move(options), std::move(handler));
  if (auto started = server_->start(); !started) throw std::runtime_error(started.error().to_string());
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

TestServer::~TestServer() {
  server_->stop();
  ioc_.stop();
  for (auto& t : threads_) t.join();
  server_.reset();
}

}  // namespace phoenix::test
