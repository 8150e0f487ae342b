#pragma once
// The hub's small HTTP/1.1 server: a listener that accepts each connection onto its own
// strand and gives it an HttpSession. It knows nothing about routes: it hands complete
// requests to a RequestHandler (see Dispatcher for routing and auth).
#include "hub/http/http_types.hpp"
#include "hub/http/server_options.hpp"
#include "shared/core/error.hpp"

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

namespace phoenix::hub::http {

class Listener;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions options, RequestHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Fails (address in use, bad address) with a message.
  Result<void> start();
  // The bound port (useful when ServerOptions::port is 0). 0 before start().
  std::uint16_t port() const { return port_; }
  // Stops accepting; open connections finish their current request.
  void stop();

  std::size_t open_connections() const { return connections_->load(); }

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<const ServerOptions> options_;
  std::shared_ptr<const RequestHandler> handler_;
  std::shared_ptr<std::atomic<std::size_t>> connections_;
  std::shared_ptr<Listener> listener_;
  std::uint16_t port_ = 0;
};

}  // namespace phoenix::hub::http
