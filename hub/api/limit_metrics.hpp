#pragma once
// The limits' figures in /metrics: counters of what they refused and gauges of what is in
// flight, read at scrape time from hub/limits' atomics and the agent endpoint.
#include "hub/limits/limit_counters.hpp"
#include "hub/metrics/metrics.hpp"

#include <functional>
#include <memory>

namespace phoenix::hub::api {

struct LimitGauges {
  std::function<std::size_t()> handshakes_in_progress;
};

void add_limit_collector(Metrics& metrics, std::shared_ptr<const limits::LimitCounters> counters,
                         LimitGauges gauges);

}  // namespace phoenix::hub::api
