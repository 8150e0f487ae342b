#include "agent/engine/transport.hpp"

#include "agent/engine/tls_material.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <exception>

namespace phoenix::agent::engine::detail {
namespace net = boost::asio;
using boost::system::error_code;

const char* step_name(Step step) {
  switch (step) {
    case Step::connect: return "connecting";
    case Step::tls_handshake: return "the TLS handshake";
    case Step::write: return "sending the request";
    case Step::read: return "reading the response";
  }
  return "?";
}

bool run_with_deadline(net::io_context& ioc, net::awaitable<void> task,
                       std::chrono::milliseconds timeout) {
  bool done = false;
  std::exception_ptr failure;
  net::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) {
    done = true;
    failure = e;
  });
  ioc.run_for(timeout);
  if (failure) std::rethrow_exception(failure);  // only bad_alloc and the like
  return done;
}

Error timeout_error(const std::string& where, Step step, std::chrono::milliseconds timeout) {
  return make_error("timeout", "no answer from " + where + " within " +
                                   std::to_string(timeout.count()) + " ms (stuck " +
                                   step_name(step) + "); is dockerd hung or overloaded?");
}

net::awaitable<Result<void>> connect_unix(net::local::stream_protocol::socket& socket,
                                          const std::string& path) {
  error_code ec;
  co_await socket.async_connect(net::local::stream_protocol::endpoint(path),
                                net::redirect_error(net::use_awaitable, ec));
  if (!ec) co_return ok();
  const std::string where = "cannot connect to the Docker daemon at unix://" + path + ": ";
  if (ec.value() == ENOENT && ec.category() == boost::system::system_category()) {
    co_return make_error("connect_failed", where + "the socket does not exist; dockerd is not "
                                                   "running, or it listens on another socket");
  }
  if (ec == net::error::connection_refused) {
    co_return make_error("connect_failed", where + "connection refused; dockerd is not running "
                                                   "(the socket file is stale)");
  }
  if (ec.value() == EACCES) {
    co_return make_error("connect_failed", where + "permission denied; run as root or as a "
                                                   "member of the socket's group");
  }
  co_return make_error("connect_failed", where + ec.message() + "; is dockerd running?");
}

net::awaitable<Result<void>> connect_tcp(net::ip::tcp::socket& socket, const std::string& host,
                                         std::uint16_t port, const std::string& where) {
  error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (!ec) {
    co_await socket.async_connect({address, port}, net::redirect_error(net::use_awaitable, ec));
  } else {
    net::ip::tcp::resolver resolver(socket.get_executor());
    auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                   net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      co_return make_error("connect_failed",
                           "cannot resolve " + host + " (for " + where + "): " + ec.message());
    }
    co_await net::async_connect(socket, results, net::redirect_error(net::use_awaitable, ec));
  }
  if (!ec) co_return ok();
  if (ec == net::error::connection_refused) {
    co_return make_error("connect_failed", "cannot connect to " + where +
                                               ": connection refused; dockerd is not running or "
                                               "has no listener on this address (daemon.json hosts)");
  }
  co_return make_error("connect_failed", "cannot connect to " + where + ": " + ec.message() +
                                             "; is dockerd running and reachable?");
}

net::awaitable<Result<void>> handshake_tls(net::ssl::stream<net::ip::tcp::socket>& stream,
                                           const std::string& host, const std::string& where) {
  auto prepared = prepare_peer_verification(stream.native_handle(), host);
  if (!prepared) co_return prepared.error();
  error_code ec;
  co_await stream.async_handshake(net::ssl::stream_base::client,
                                  net::redirect_error(net::use_awaitable, ec));
  if (!ec) co_return ok();
  co_return make_error("tls_handshake_failed", "TLS handshake with " + where + " failed: " +
                                                   describe_tls_failure(stream.native_handle(), ec));
}

}  // namespace phoenix::agent::engine::detail
