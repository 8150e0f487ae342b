#include "hub/api/metrics_routes.hpp"

#include <cstdio>
#include <ctime>

namespace phoenix::hub::api {
namespace {
using nlohmann::json;

std::string text_at(const json& object, std::initializer_list<const char*> path) {
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return {};
    at = &(*at)[key];
  }
  return at->is_string() ? at->get<std::string>() : std::string();
}
}  // namespace

std::optional<double> days_until(const std::string& iso_utc, std::chrono::system_clock::time_point now) {
  std::tm tm{};
  char zone = 0;
  if (std::sscanf(iso_utc.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &zone) != 7 ||
      zone != 'Z') {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  // In seconds: a time_point holds nanoseconds, which overflow ~292 years from 1970, and the
  // date comes from an agent (a certificate may say year 1013).
  const std::time_t when = ::timegm(&tm);
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return (static_cast<double>(when) - static_cast<double>(now_s)) / 86400.0;
}

void add_fleet_collectors(Metrics& metrics, std::shared_ptr<AgentRegistry> registry, std::shared_ptr<HubStore> store) {
  metrics.add_collector([registry, store] {
    std::vector<MetricFamily> out;
    out.push_back({"phoenix_agents_connected", "Agents holding a live channel to the hub.", "gauge",
                   {{{}, static_cast<double>(registry->size())}}});
    MetricFamily enrolled{"phoenix_agents_enrolled", "Enrolled agents that are not revoked.", "gauge", {}};
    MetricFamily expiry{"phoenix_cert_expiry_days",
                        "Days until a VM's certificate expires (negative once expired), as its agent reported.",
                        "gauge", {}};
    const auto now = std::chrono::system_clock::now();
    if (auto agents = store->list_agents()) {
      double count = 0;
      for (const auto& agent : *agents) {
        if (agent.revoked) continue;
        ++count;
        const auto live = registry->find(agent.name);
        const json& state = live ? live->last_state : agent.last_state;
        for (const char* cert : {"identity", "docker_server", "docker_client"}) {
          if (auto days = days_until(text_at(state, {"certs", cert, "not_after"}), now)) {
            expiry.samples.push_back({{{"vm", agent.name}, {"cert", cert}}, *days});
          }
        }
      }
      enrolled.samples.push_back({{}, count});
    }
    out.push_back(std::move(enrolled));
    out.push_back(std::move(expiry));
    MetricFamily rotations{"phoenix_rotations", "Rotations by kind and state (in_progress, halted, completed).",
                           "gauge", {}};
    if (auto counts = store->rotation_counts()) {
      for (const auto& [kind, state, n] : *counts) {
        rotations.samples.push_back({{{"kind", kind}, {"state", state}}, static_cast<double>(n)});
      }
    }
    out.push_back(std::move(rotations));
    return out;
  });
}

void add_metrics_route(http::Router& router, std::shared_ptr<const Metrics> metrics,
                       std::function<void(std::function<void()>)> run_blocking) {
  router.add({http::Verb::get, "/metrics", false, http::Role::read,
              [metrics, run_blocking](const http::Request&, const http::RouteContext&, http::Respond respond) {
                run_blocking([metrics, respond] {
                  http::Response res{http::Status::ok, 11};
                  res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
                  res.body() = metrics->render();
                  res.prepare_payload();
                  respond(std::move(res));
                });
              }});
}

}  // namespace phoenix::hub::api
