#include "hub/api/event_routes.hpp"

#include "hub/http/json_response.hpp"

namespace phoenix::hub::api {

void add_event_routes(http::Router& router, std::shared_ptr<EventBus> events, std::string version) {
  router.add({http::Verb::get, "/events", false, http::Role::read,
              [events, version](const http::Request& request, const http::RouteContext&, http::Respond respond) {
                auto listener = events->subscribe({{"version", version}});
                if (!listener) {
                  return respond(http::error_response(http::Status::service_unavailable, "too_many_listeners",
                                                      "the hub has as many open event streams as it allows; close a "
                                                      "dashboard tab or retry later"));
                }
                http::Response head{http::Status::ok, request.version()};
                head.set(http::beast_http::field::content_type, "text/event-stream");
                head.set(http::beast_http::field::cache_control, "no-store");
                head.set("X-Accel-Buffering",
                         "no");  // a reverse proxy must not hold events back
                respond.stream(std::move(head), std::move(listener));
              }});
}

}  // namespace phoenix::hub::api
