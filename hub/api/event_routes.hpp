#pragma once
// GET /events: the hub's live events as server-sent events (see hub/events/event_bus.hpp for the
// event types). A read route like any other: it needs a token when tokens are on, and a page of
// another origin is refused (the dispatcher's Origin check) like any API call.
#include "hub/events/event_bus.hpp"
#include "hub/http/router.hpp"

#include <memory>
#include <string>

namespace phoenix::hub::api {

void add_event_routes(http::Router& router, std::shared_ptr<EventBus> events, std::string version);

}  // namespace phoenix::hub::api
