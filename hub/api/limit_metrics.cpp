#include "hub/api/limit_metrics.hpp"

namespace phoenix::hub::api {
namespace {

double value(const std::atomic<std::uint64_t>& counter) { return static_cast<double>(counter.load()); }

Sample labelled(const char* label, const char* text, double v) { return Sample{{{label, text}}, v}; }

}  // namespace

void add_limit_collector(Metrics& metrics, std::shared_ptr<const limits::LimitCounters> counters,
                         LimitGauges gauges) {
  metrics.add_collector([counters = std::move(counters), gauges = std::move(gauges)] {
    const auto& c = *counters;
    std::vector<MetricFamily> out;
    out.push_back({"phoenix_connections_refused_total",
                   "Connections closed by a limit before they were served, by the limit.",
                   "counter",
                   {labelled("reason", "max_connections", value(c.refused_max_connections)),
                    labelled("reason", "max_handshakes", value(c.refused_max_handshakes)),
                    labelled("reason", "max_handshakes_per_source", value(c.refused_max_handshakes_per_source)),
                    labelled("reason", "tls_handshake_timeout", value(c.refused_handshake_timeout)),
                    labelled("reason", "rate_limit_penalty", value(c.refused_rate_limit_penalty)),
                    labelled("reason", "api_max_connections", value(c.refused_api_max_connections))}});
    out.push_back({"phoenix_accept_errors_total", "Failed accept() calls (out of descriptors...), by listener.",
                   "counter",
                   {labelled("listener", "agent", value(c.accept_errors_agent)),
                    labelled("listener", "api", value(c.accept_errors_api))}});
    out.push_back({"phoenix_agents_rate_limited_total",
                   "Agents disconnected for going over a message rate, by limit.",
                   "counter",
                   {labelled("limit", "messages", value(c.rate_limited_messages)),
                    labelled("limit", "sign_requests", value(c.rate_limited_sign_requests))}});
    out.push_back({"phoenix_blocking_work_refused_total",
                   "Store writes, signatures and enrollments refused because the blocking queue was full.",
                   "counter",
                   {Sample{{}, value(c.blocking_refused)}}});
    out.push_back({"phoenix_blocking_work_queued", "Jobs waiting for or running on the blocking threads.", "gauge",
                   {Sample{{}, static_cast<double>(c.blocking_queued.load())}}});
    out.push_back({"phoenix_tls_handshakes_in_progress",
                   "Agent endpoint connections still in their TLS handshake.",
                   "gauge",
                   {Sample{{}, gauges.handshakes_in_progress ? static_cast<double>(gauges.handshakes_in_progress())
                                                             : 0.0}}});
    out.push_back({"phoenix_open_files_limit", "The soft RLIMIT_NOFILE the hub runs with.", "gauge",
                   {Sample{{}, value(c.open_files_limit)}}});
    return out;
  });
}

}  // namespace phoenix::hub::api
