#pragma once
// Turns the router and the token check into the server's RequestHandler:
//   no tokens, Host not one the hub knows -> 421 unknown_host (DNS rebinding; HostAllowList)
//   Origin of another site   -> 403 cross_origin
//   open route (/health)     -> handler, no token needed
//   tokens on, bad/no token  -> 401 with WWW-Authenticate (before revealing 404/405)
//   unknown path / method    -> 404 / 405 with Allow
//   read token, write route  -> 403
//   otherwise                -> the route's handler (which may answer later)
// Every refusal is a JSON error; a handler that throws gives 500, never a stack trace.
#include "hub/http/host_allow_list.hpp"
#include "hub/http/http_types.hpp"
#include "hub/http/router.hpp"
#include "hub/http/token_auth.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace phoenix::hub::http {

class Dispatcher {
 public:
  // Sees every answer: method, the matched route's pattern ("unmatched" when none), status.
  using Observer = std::function<void(std::string_view method, std::string_view route, unsigned status)>;

  Dispatcher(std::shared_ptr<const Router> router, std::shared_ptr<const TokenAuth> auth, HostAllowList hosts,
             Observer observer = {});

  void handle(const Request& request, Respond respond) const;

  // For HttpServer: a handler that keeps this dispatcher's router and auth alive.
  RequestHandler as_handler() const;

 private:
  std::shared_ptr<const Router> router_;
  std::shared_ptr<const TokenAuth> auth_;
  std::shared_ptr<const HostAllowList> hosts_;
  Observer observer_;
};

}  // namespace phoenix::hub::http
