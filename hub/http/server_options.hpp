#pragma once
// Limits and deadlines of the hub's HTTP server. Every phase of a connection has one, so a
// client that opens a connection and stalls holds one slot for a bounded time and delays no
// one else.
#include "hub/limits/limit_counters.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace phoenix::hub::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8082;  // 0: the kernel picks one; HttpServer::port() tells which

  std::size_t max_connections = 512;       // more are answered 503 and closed
  std::uint64_t body_limit = 64 * 1024;    // larger bodies: 413
  std::uint32_t header_limit = 16 * 1024;  // larger request line + headers: 431

  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{30'000};    // end of headers to end of body
  std::chrono::milliseconds write_timeout{30'000};   // whole response
  std::chrono::milliseconds idle_timeout{30'000};    // keep-alive wait for the next request
  std::chrono::milliseconds handler_timeout{150'000};  // longest a route may take (ip wait ≤ 120 s)
  // Event streams: how long sent data may stay unacknowledged before the kernel drops the
  // connection (TCP_USER_TIMEOUT). Above the hub's 15 s heartbeat, so only a vanished client hits it.
  std::chrono::milliseconds stream_user_timeout{45'000};
  // Where refusals (max_connections) and accept errors are counted for /metrics; optional.
  std::shared_ptr<limits::LimitCounters> counters;
};

}  // namespace phoenix::hub::http
