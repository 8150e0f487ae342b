#include "hub/api/rotation_routes.hpp"

#include "hub/api/error_status.hpp"
#include "hub/http/json_response.hpp"
#include "hub/rotation/rotation_json.hpp"

#include <algorithm>

namespace phoenix::hub::api {
namespace {
using http::Respond;
using http::RouteContext;
using http::Status;
using nlohmann::json;

constexpr int kListLimit = 100;

bool valid_rotation_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}
}  // namespace

void add_rotation_routes(http::Router& router, std::shared_ptr<const RotationApi> api) {
  using http::Role;
  using http::Verb;

  router.add({Verb::post, "/rotations", false, Role::write,
              [api](const http::Request& request, const RouteContext&, Respond respond) {
                auto parsed = parse_rotation_request(request.body());
                if (!parsed) return respond(error_to_response(parsed.error()));
                api->run_blocking([api, respond, parsed = *parsed] {
                  auto started = api->driver->start_rotation(parsed);
                  if (!started) return respond(error_to_response(started.error()));
                  respond(http::json_response(Status::accepted, rotation_to_json(*started)));
                });
              }});

  router.add({Verb::get, "/rotations", false, Role::read,
              [api](const http::Request&, const RouteContext&, Respond respond) {
                api->run_blocking([api, respond] {
                  auto list = api->store->list_rotations(kListLimit);
                  if (!list) return respond(error_to_response(list.error()));
                  json array = json::array();
                  for (const auto& rotation : *list) array.push_back(rotation_to_json(rotation));
                  respond(http::json_response(Status::ok, array));
                });
              }});

  router.add({Verb::post, "/rotations/{id}/rollback", false, Role::write,
              [api](const http::Request&, const RouteContext& context, Respond respond) {
                const auto id = context.param("id").value_or("");
                if (!valid_rotation_id(id)) {
                  return respond(error_to_response(Error{"invalid_request", "a rotation id is [A-Za-z0-9._-]{1,64}"}));
                }
                api->run_blocking([api, respond, id] {
                  auto rolled = api->driver->roll_back(id);
                  if (!rolled) return respond(error_to_response(rolled.error()));
                  respond(http::json_response(Status::accepted, rotation_to_json(*rolled)));
                });
              }});

  router.add({Verb::get, "/rotations/{id}", false, Role::read,
              [api](const http::Request&, const RouteContext& context, Respond respond) {
                const auto id = context.param("id").value_or("");
                if (!valid_rotation_id(id)) {
                  return respond(error_to_response(Error{"invalid_request", "a rotation id is [A-Za-z0-9._-]{1,64}"}));
                }
                api->run_blocking([api, respond, id] {
                  auto rotation = api->store->get_rotation(id);
                  if (!rotation) return respond(error_to_response(rotation.error()));
                  if (!*rotation) {
                    return respond(error_to_response(
                        Error{"rotation_not_found", "no rotation with id \"" + id + "\" (see GET /rotations)"}));
                  }
                  respond(http::json_response(Status::ok, rotation_to_json(**rotation)));
                });
              }});
}

}  // namespace phoenix::hub::api
