#pragma once
// Which names in a request's Host header the hub answers to: the guard against DNS rebinding.
//
// A page on http://evil.example:8082 can make its own name resolve to 127.0.0.1; the browser
// then sends the hub requests with Host and Origin both "evil.example:8082", which pass an
// origin check, and a hub without tokens (loopback only) would take them. Refusing names the
// hub does not know closes that: IP literals and localhost can never be rebound, and any other
// name must be configured (api.allowed_hosts) or be this machine's own. The Dispatcher asks
// only when the API has no tokens: a rebound page has no token to send.
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::hub::http {

class HostAllowList {
 public:
  // IP literals, "localhost" and "*.localhost" (browsers resolve these to loopback without
  // DNS) are always allowed; `names` are further names (case-insensitive, no port).
  explicit HostAllowList(std::vector<std::string> names = {});

  // host_header: the Host header as sent ("name", "name:port", "1.2.3.4:port", "[::1]:port").
  // An empty header is allowed: browsers always send one, so a request without it is not one
  // a rebound page can make.
  bool allows(std::string_view host_header) const;

  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;  // lower case, without a trailing dot
};

// A valid DNS name for api.allowed_hosts: letters, digits, '-' and '.', labels of 1-63.
bool is_valid_host_name(std::string_view name);

// This machine's names the hub answers to by default: its hostname and, for a bare name, the
// name.local an mDNS network gives it.
std::vector<std::string> local_host_names();

}  // namespace phoenix::hub::http
