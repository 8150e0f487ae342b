#pragma once
// GET /metrics (Prometheus text format) and the collectors that describe the fleet at scrape
// time: agents connected and enrolled, rotations by kind and state, days until each VM's
// certificates (identity, docker server, docker client) expire.
#include "hub/agents/agent_registry.hpp"
#include "hub/http/router.hpp"
#include "hub/metrics/metrics.hpp"
#include "hub/store/hub_store.hpp"

#include <functional>
#include <memory>

namespace phoenix::hub::api {

void add_fleet_collectors(Metrics& metrics, std::shared_ptr<AgentRegistry> registry, std::shared_ptr<HubStore> store);

// Rendering reads the store: it runs through `run_blocking`.
void add_metrics_route(http::Router& router, std::shared_ptr<const Metrics> metrics,
                       std::function<void(std::function<void()>)> run_blocking);

// "2026-12-08T11:40:21Z" -> days from `now` (negative once past); nullopt if malformed.
std::optional<double> days_until(const std::string& iso_utc, std::chrono::system_clock::time_point now);

}  // namespace phoenix::hub::api
