#pragma once
// Maps (method, request target) to a route. Targets are parsed with Boost.URL, path
// segments are percent-decoded *before* matching and matched whole, so `%2e%2e%2f` is one
// segment whose value is "../" (a name the route then refuses), never a path traversal.
// An unknown path is 404; a known path with the wrong method is 405 with Allow.
#include "hub/http/http_types.hpp"
#include "hub/http/role.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::hub::http {

struct RouteContext {
  std::vector<std::pair<std::string, std::string>> path_params;  // {name} -> decoded value
  std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
  std::string path;                                              // decoded, for logs

  // First value of a path parameter / query key, if present.
  std::optional<std::string> param(std::string_view key) const;
  std::optional<std::string> query_value(std::string_view key) const;
};

using RouteHandler = std::function<void(const Request&, const RouteContext&, Respond)>;

struct Route {
  Verb method;
  std::string pattern;  // "/vms/{name}/start": literal segments and {param} segments
  bool open = false;    // served without authentication (only /health)
  Role role = Role::read;
  RouteHandler handler;
};

struct RouteMatch {
  // Status::ok when `route` is set; otherwise bad_request, not_found or method_not_allowed.
  Status status = Status::not_found;
  const Route* route = nullptr;
  RouteContext context;
  std::string allow;  // for 405: "GET, POST"
};

class Router {
 public:
  void add(Route route);
  RouteMatch match(Verb method, std::string_view target) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace phoenix::hub::http
