#include "hub/http/dispatcher.hpp"

#include "hub/http/json_response.hpp"
#include "shared/core/log.hpp"

namespace phoenix::hub::http {

Dispatcher::Dispatcher(std::shared_ptr<const Router> router, std::shared_ptr<const TokenAuth> auth,
                       HostAllowList hosts, Observer observer)
    : router_(std::move(router)),
      auth_(std::move(auth)),
      hosts_(std::make_shared<const HostAllowList>(std::move(hosts))),
      observer_(std::move(observer)) {}

RequestHandler Dispatcher::as_handler() const {
  return [self = *this](const Request& request, Respond respond) { self.handle(request, std::move(respond)); };
}

void Dispatcher::handle(const Request& request, Respond respond) const {
  auto match = router_->match(request.method(), request.target());
  if (observer_) {
    // Route patterns, never raw paths: the label set stays bounded whatever clients send.
    respond = respond.observed([observer = observer_, method = std::string(request.method_string()),
                                route = match.route != nullptr ? match.route->pattern : std::string("unmatched")](
                                   unsigned status) { observer(method, route, status); });
  }
  const bool open = match.route != nullptr && match.route->open;

  // Only a hub without tokens can be driven by a rebound page: with tokens, that page has none
  // (bearer tokens are never sent by the browser on its own), and clients may use any name.
  const auto host = request[beast_http::field::host];
  if (!auth_->enabled() && !hosts_->allows(host)) {
    return respond(error_response(
        Status::misdirected_request, "unknown_host",
        "this hub does not answer to the name in Host (" + std::string(host) +
            "), a guard against DNS rebinding: use its IP address or localhost, or add the name to "
            "api.allowed_hosts in the hub config"));
  }

  // A browser sends Origin on cross-origin requests (and on same-origin POSTs). Only the hub's
  // own pages may drive the API: another site's page must not start or stop VMs or rotations
  // through a user's browser, token or not.
  if (const auto origin = request[beast_http::field::origin]; !origin.empty()) {
    if (origin != "http://" + std::string(host) && origin != "https://" + std::string(host)) {
      return respond(error_response(Status::forbidden, "cross_origin",
                                    "requests from another origin (" + std::string(origin) + ") are refused"));
    }
  }

  if (!open && auth_->enabled()) {
    const auto role = auth_->authenticate(request[beast_http::field::authorization]);
    if (!role) {
      auto res = error_response(Status::unauthorized, "unauthorized",
                                "send a configured API token: Authorization: Bearer <token>");
      res.set(beast_http::field::www_authenticate, "Bearer realm=\"phoenix-hub\"");
      return respond(std::move(res));
    }
    if (match.route != nullptr && !role_allows(*role, match.route->role)) {
      return respond(error_response(Status::forbidden, "forbidden",
                                    "this route needs a token with the write role"));
    }
  }

  switch (match.status) {
    case Status::ok:
      break;
    case Status::method_not_allowed: {
      auto res = error_response(Status::method_not_allowed, "method_not_allowed",
                                std::string(request.method_string()) + " is not allowed on " +
                                    match.context.path + "; allowed: " + match.allow);
      res.set(beast_http::field::allow, match.allow);
      return respond(std::move(res));
    }
    case Status::bad_request:
      return respond(error_response(Status::bad_request, "bad_target", "the request target is not a valid URL path"));
    default:
      return respond(error_response(Status::not_found, "not_found",
                                    "no such endpoint: " + match.context.path + " (see GET /openapi.json)"));
  }

  try {
    match.route->handler(request, match.context, respond);
  } catch (const std::exception& e) {
    log::error("http", std::string("route ") + match.route->pattern + " threw: " + e.what());
    respond(error_response(Status::internal_server_error, "internal_error",
                           "the hub failed to handle this request; see its log"));
  }
}

}  // namespace phoenix::hub::http
