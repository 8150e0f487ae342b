#include "hub/api/vm_routes.hpp"

#include "hub/api/error_status.hpp"
#include "hub/api/openapi.hpp"
#include "hub/dashboard/dashboard_csp.hpp"
#include "hub/dashboard/dashboard_page.hpp"
#include "hub/http/json_response.hpp"
#include "hub/vms/vm_name.hpp"

#include <charconv>

namespace phoenix::hub::api {
namespace {

using http::Respond;
using http::RouteContext;
using http::Status;

constexpr int kMaxIpWaitSeconds = 120;

// The {name} segment, validated; answers 400 itself and returns nullopt when it is bad.
std::optional<std::string> checked_name(const RouteContext& context, const Respond& respond) {
  auto name = context.param("name").value_or("");
  if (auto checked = validate_vm_name(name); !checked) {
    respond(error_to_response(checked.error()));
    return std::nullopt;
  }
  return name;
}

VmService::VmHandler answer_vm(Respond respond) {
  return [respond = std::move(respond)](Result<VmInfo> vm) {
    if (!vm) return respond(error_to_response(vm.error()));
    respond(http::json_response(Status::ok, to_json(*vm)));
  };
}

// Answers `vms` (one VM object or an array), with the agent facts merged in when the hub
// has an agent endpoint. The merge reads the store, so it runs through run_blocking.
void answer_with_agents(const std::shared_ptr<const AgentApi>& agents, nlohmann::json vms,
                        const Respond& respond) {
  if (!agents) return respond(http::json_response(Status::ok, vms));
  agents->run_blocking([agents, vms = std::move(vms), respond]() mutable {
    if (auto merged = merge_agent_facts(*agents, vms); !merged) return respond(error_to_response(merged.error()));
    respond(http::json_response(Status::ok, vms));
  });
}

void health(const std::shared_ptr<VmService>& service, const ApiInfo& info, const Respond& respond) {
  const auto driver = service->health();
  bool ok = driver.ok;
  nlohmann::json body = {{info.driver, {{"ok", driver.ok}, {"detail", driver.detail}}},
                         {"version", info.version}};
  if (info.add_health) info.add_health(body, ok);
  // "warning": serving, but something needs an operator soon (a certificate that ends within
  // 30 days, listed in "warnings"); still 200, so liveness probes do not restart the hub.
  const bool warned = body.contains("warnings") && body["warnings"].is_array() && !body["warnings"].empty();
  body["status"] = !ok ? "degraded" : warned ? "warning" : "ok";
  respond(http::json_response(ok ? Status::ok : Status::service_unavailable, body));
}

}  // namespace

Result<int> parse_wait_seconds(const std::optional<std::string>& text) {
  if (!text) return 0;
  int value = -1;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc{} || ptr != end || value < 0 || value > kMaxIpWaitSeconds) {
    return make_error("bad_query", "wait must be a whole number of seconds from 0 to " +
                                       std::to_string(kMaxIpWaitSeconds));
  }
  return value;
}

void add_vm_routes(http::Router& router, std::shared_ptr<VmService> service, ApiInfo info,
                   std::shared_ptr<const AgentApi> agents) {
  using http::Role;
  using http::Verb;

  router.add({Verb::get, "/health", true, Role::read,
              [service, info](const http::Request&, const RouteContext&, Respond respond) {
                health(service, info, respond);
              }});

  router.add({Verb::get, "/vms", false, Role::read,
              [service, agents](const http::Request&, const RouteContext&, Respond respond) {
                service->list([respond, agents](Result<std::vector<VmInfo>> vms) {
                  if (!vms) return respond(error_to_response(vms.error()));
                  auto array = nlohmann::json::array();
                  for (const auto& vm : *vms) array.push_back(to_json(vm));
                  answer_with_agents(agents, std::move(array), respond);
                });
              }});

  router.add({Verb::get, "/vms/{name}", false, Role::read,
              [service, agents](const http::Request&, const RouteContext& context, Respond respond) {
                auto name = checked_name(context, respond);
                if (!name) return;
                service->get(*name, [respond, agents](Result<VmInfo> vm) {
                  if (!vm) return respond(error_to_response(vm.error()));
                  answer_with_agents(agents, to_json(*vm), respond);
                });
              }});

  router.add({Verb::post, "/vms/{name}/start", false, Role::write,
              [service](const http::Request&, const RouteContext& context, Respond respond) {
                if (auto name = checked_name(context, respond)) service->start(*name, answer_vm(respond));
              }});

  router.add({Verb::post, "/vms/{name}/stop", false, Role::write,
              [service](const http::Request&, const RouteContext& context, Respond respond) {
                if (auto name = checked_name(context, respond)) service->stop(*name, answer_vm(respond));
              }});

  router.add({Verb::get, "/vms/{name}/ip", false, Role::read,
              [service](const http::Request&, const RouteContext& context, Respond respond) {
                auto name = checked_name(context, respond);
                if (!name) return;
                const auto wait = parse_wait_seconds(context.query_value("wait"));
                if (!wait) return respond(error_to_response(wait.error()));
                service->ip(*name, *wait, [respond, vm = *name](Result<std::string> ip) {
                  if (!ip) return respond(error_to_response(ip.error()));
                  respond(http::json_response(Status::ok, {{"name", vm}, {"ip", *ip}}));
                });
              }});

  router.add({Verb::get, "/openapi.json", false, Role::read,
              [](const http::Request&, const RouteContext&, Respond respond) {
                http::Response res{Status::ok, 11};
                res.set(http::beast_http::field::content_type, "application/json");
                res.body() = std::string(openapi_document());
                res.prepare_payload();
                respond(std::move(res));
              }});
}

std::shared_ptr<http::Router> make_api_router(std::shared_ptr<VmService> service, ApiInfo info,
                                              std::shared_ptr<const AgentApi> agents,
                                              std::shared_ptr<const RotationApi> rotations,
                                              std::shared_ptr<SwarmService> swarm,
                                              std::shared_ptr<const Metrics> metrics,
                                              std::shared_ptr<EventBus> events) {
  auto router = std::make_shared<http::Router>();
  if (events) add_event_routes(*router, std::move(events), info.version);
  add_vm_routes(*router, std::move(service), std::move(info), agents);
  if (agents) add_agent_routes(*router, agents);
  if (rotations) add_rotation_routes(*router, rotations);
  if (swarm) add_swarm_routes(*router, swarm);
  if (metrics && agents) add_metrics_route(*router, metrics, agents->run_blocking);
  // The dashboard page carries no fleet data (it asks the API, with the token, from the
  // browser): open, like /health. Locked down to its own origin and its own script.
  router->add({http::Verb::get, "/", true, http::Role::read,
               [csp = dashboard_csp(dashboard_page())](const http::Request&, const http::RouteContext&,
                                                       http::Respond respond) {
                 http::Response res{http::Status::ok, 11};
                 res.set(http::beast_http::field::content_type, "text/html; charset=utf-8");
                 res.set("Content-Security-Policy", csp);
                 res.set("X-Content-Type-Options", "nosniff");
                 res.set(http::beast_http::field::cache_control, "no-store");
                 res.body() = std::string(dashboard_page());
                 res.prepare_payload();
                 respond(std::move(res));
               }});
  return router;
}

}  // namespace phoenix::hub::api
