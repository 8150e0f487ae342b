#pragma once
// The VM Operator API (SPEC "HTTP API"): /health, /vms, /vms/{name}, start, stop, ip and
// /openapi.json, on top of the driver-independent VmService. Handlers validate the name
// and the query, call the service, and answer from the service's callback thread through
// `respond` (the session posts back to its own strand).
#include "hub/api/agent_routes.hpp"
#include "hub/api/event_routes.hpp"
#include "hub/api/rotation_routes.hpp"
#include "hub/api/metrics_routes.hpp"
#include "hub/api/swarm_routes.hpp"
#include "hub/http/router.hpp"
#include "hub/vms/vm_service.hpp"

#include <functional>
#include <memory>
#include <string>

namespace phoenix::hub::api {

struct ApiInfo {
  std::string version;         // phoenix version, shown by /health
  std::string driver = "tart"; // key under which /health reports the driver's health
  // The other parts of the hub /health reports on (SPEC: store open, agent endpoint
  // listening). Adds its keys to the body and clears `ok` when a part is unhealthy.
  std::function<void(nlohmann::json& body, bool& ok)> add_health;
};

// With `agents`, GET /vms and GET /vms/{name} merge each VM's agent facts under "agent".
void add_vm_routes(http::Router& router, std::shared_ptr<VmService> service, ApiInfo info,
                   std::shared_ptr<const AgentApi> agents = nullptr);

// The router with every route the hub serves today (the agent routes only with `agents`).
std::shared_ptr<http::Router> make_api_router(std::shared_ptr<VmService> service, ApiInfo info,
                                              std::shared_ptr<const AgentApi> agents = nullptr,
                                              std::shared_ptr<const RotationApi> rotations = nullptr,
                                              std::shared_ptr<SwarmService> swarm = nullptr,
                                              std::shared_ptr<const Metrics> metrics = nullptr,
                                              std::shared_ptr<EventBus> events = nullptr);

// Parses ?wait=N for /vms/{name}/ip: absent means 0; 0..120 allowed.
Result<int> parse_wait_seconds(const std::optional<std::string>& text);

}  // namespace phoenix::hub::api
