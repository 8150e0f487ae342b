#pragma once
// Internal to the engine library: the connection steps shared by HttpClient and the
// server-certificate probe, as coroutines run on a private io_context under one deadline.
#include "shared/core/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace phoenix::agent::engine::detail {

// The step a request is waiting on, so a timeout can say where it got stuck.
enum class Step { connect, tls_handshake, write, read };
const char* step_name(Step step);

// Spawns `task` on `ioc` and runs it for at most `timeout`. False on timeout; the task's
// frame (and the sockets in it) is then destroyed with the io_context.
bool run_with_deadline(boost::asio::io_context& ioc, boost::asio::awaitable<void> task,
                       std::chrono::milliseconds timeout);

Error timeout_error(const std::string& where, Step step, std::chrono::milliseconds timeout);

boost::asio::awaitable<Result<void>> connect_unix(boost::asio::local::stream_protocol::socket& socket,
                                                  const std::string& path);

// IP literals connect directly; names are resolved first.
boost::asio::awaitable<Result<void>> connect_tcp(boost::asio::ip::tcp::socket& socket,
                                                 const std::string& host, std::uint16_t port,
                                                 const std::string& where);

// Verification of the peer against `host` is set up here (see prepare_peer_verification).
boost::asio::awaitable<Result<void>> handshake_tls(
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream, const std::string& host,
    const std::string& where);

}  // namespace phoenix::agent::engine::detail
