#pragma once
// Swarm membership on the HTTP API: POST /swarm/sync (a result per VM) and GET /swarm (nodes,
// leader, and every VM whose membership differs from the desired one).
#include "hub/http/router.hpp"
#include "hub/swarm/swarm_service.hpp"

#include <memory>

namespace phoenix::hub::api {

void add_swarm_routes(http::Router& router, std::shared_ptr<SwarmService> swarm);

}  // namespace phoenix::hub::api
