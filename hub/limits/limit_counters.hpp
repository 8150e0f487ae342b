#pragma once
// What the limits did, for /metrics: counted where a limit bites, rendered at scrape time.
// Atomics only, so the io threads never take a lock to count.
#include <atomic>
#include <cstdint>

namespace phoenix::hub::limits {

struct LimitCounters {
  // phoenix_connections_refused_total{reason}
  std::atomic<std::uint64_t> refused_max_connections{0};
  std::atomic<std::uint64_t> refused_max_handshakes{0};
  std::atomic<std::uint64_t> refused_max_handshakes_per_source{0};
  std::atomic<std::uint64_t> refused_handshake_timeout{0};
  std::atomic<std::uint64_t> refused_api_max_connections{0};
  std::atomic<std::uint64_t> refused_rate_limit_penalty{0};
  // phoenix_accept_errors_total{listener}
  std::atomic<std::uint64_t> accept_errors_agent{0};
  std::atomic<std::uint64_t> accept_errors_api{0};
  // phoenix_agents_rate_limited_total{limit}
  std::atomic<std::uint64_t> rate_limited_messages{0};
  std::atomic<std::uint64_t> rate_limited_sign_requests{0};
  // phoenix_blocking_work_refused_total; gauges
  std::atomic<std::uint64_t> blocking_refused{0};
  std::atomic<std::int64_t> blocking_queued{0};
  std::atomic<std::uint64_t> open_files_limit{0};
};

}  // namespace phoenix::hub::limits
