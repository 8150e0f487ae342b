#include "hub/api/swarm_routes.hpp"

#include "hub/http/json_response.hpp"

namespace phoenix::hub::api {

void add_swarm_routes(http::Router& router, std::shared_ptr<SwarmService> swarm) {
  using http::Respond;
  using http::Role;
  using http::RouteContext;
  using http::Status;
  using http::Verb;

  router.add({Verb::post, "/swarm/sync", false, Role::write,
              [swarm](const http::Request&, const RouteContext&, Respond respond) {
                swarm->sync([respond](nlohmann::json result) { respond(http::json_response(Status::ok, result)); });
              }});
  router.add({Verb::get, "/swarm", false, Role::read,
              [swarm](const http::Request&, const RouteContext&, Respond respond) {
                swarm->inspect([respond](nlohmann::json result) { respond(http::json_response(Status::ok, result)); });
              }});
}

}  // namespace phoenix::hub::api
