#pragma once
// Fleet-wide rotations on the HTTP API: POST /rotations (202 with the stored rotation),
// GET /rotations (newest first), GET /rotations/{id}. Store calls go through run_blocking.
#include "hub/http/router.hpp"
#include "hub/rotation/rollout_driver.hpp"

#include <functional>
#include <memory>

namespace phoenix::hub::api {

struct RotationApi {
  std::shared_ptr<RolloutDriver> driver;
  std::shared_ptr<HubStore> store;
  std::function<void(std::function<void()> work)> run_blocking;
};

void add_rotation_routes(http::Router& router, std::shared_ptr<const RotationApi> api);

}  // namespace phoenix::hub::api
