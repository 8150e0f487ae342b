#include "hub/http/http_server.hpp"

#include "hub/http/http_session.hpp"
#include "hub/limits/accept_backoff.hpp"
#include "hub/limits/rate_limited_log.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

namespace phoenix::hub::http {
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<const ServerOptions> options,
           std::shared_ptr<const RequestHandler> handler,
           std::shared_ptr<std::atomic<std::size_t>> connections)
      : ioc_(ioc),
        acceptor_(net::make_strand(ioc)),
        retry_timer_(acceptor_.get_executor()),
        options_(std::move(options)),
        handler_(std::move(handler)),
        connections_(std::move(connections)) {}

  Result<std::uint16_t> open() {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(options_->host, ec);
    if (ec) return make_error("invalid_listen_address", "\"" + options_->host + "\" is not an IP address");
    const tcp::endpoint endpoint{address, options_->port};
    const auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return make_error("listen_failed", "cannot listen on " + where + ": " + ec.message() +
                                             " (is another hub running? pick another api.listen)");
    }
    return acceptor_.local_endpoint().port();
  }

  void run() { net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); }); }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      boost::system::error_code ec;
      self->acceptor_.close(ec);
      self->retry_timer_.cancel();
    });
  }

 private:
  void do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(net::make_strand(ioc_),
                           boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      // Out of descriptors and the like: the pending connection stays pending, so retrying at
      // once would spin; wait longer each time in a row, and log once a second at most.
      if (options_->counters) options_->counters->accept_errors_api.fetch_add(1);
      const auto delay = backoff_.next_delay();
      if (const auto held_back = error_log_.allow(limits::RateLimitedLog::Clock::now())) {
        log::warning("http", "accept failed: " + ec.message() + "; retrying in " + std::to_string(delay.count()) +
                                 " ms" + (*held_back ? " (" + std::to_string(*held_back) + " more failures)" : ""));
      }
      retry_timer_.expires_after(delay);
      retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    backoff_.reset();
    const bool overloaded = connections_->fetch_add(1) >= options_->max_connections;
    if (overloaded && options_->counters) options_->counters->refused_api_max_connections.fetch_add(1);
    std::make_shared<HttpSession>(std::move(socket), options_, handler_, connections_)->run(overloaded);
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::shared_ptr<const ServerOptions> options_;
  std::shared_ptr<const RequestHandler> handler_;
  std::shared_ptr<std::atomic<std::size_t>> connections_;
  limits::AcceptBackoff backoff_;
  limits::RateLimitedLog error_log_;
  bool stopped_ = false;
};

HttpServer::HttpServer(net::io_context& ioc, ServerOptions options, RequestHandler handler)
    : ioc_(ioc),
      options_(std::make_shared<const ServerOptions>(std::move(options))),
      handler_(std::make_shared<const RequestHandler>(std::move(handler))),
      connections_(std::make_shared<std::atomic<std::size_t>>(0)) {}

HttpServer::~HttpServer() { stop(); }

Result<void> HttpServer::start() {
  auto listener = std::make_shared<Listener>(ioc_, options_, handler_, connections_);
  auto port = listener->open();
  if (!port) return port.error();
  port_ = *port;
  listener_ = std::move(listener);
  listener_->run();
  return ok();
}

void HttpServer::stop() {
  if (listener_) listener_->stop();
  listener_.reset();
}

}  // namespace phoenix::hub::http
