#pragma once
// The hub's address as the token and hub.json carry it ("wss://host:8443"), split into
// what the TLS and HTTP layers need. Enrollment is HTTPS to the same host and port.
#include "shared/core/error.hpp"

#include <string>
#include <string_view>

namespace phoenix::agent {

struct HubAddress {
  std::string host;  // DNS name or IP literal without brackets ("::1")
  std::string port;  // "8443"; "443" when the URL has none
  bool host_is_ip = false;

  // "host:port" / "[::1]:port", for the Host header and messages.
  std::string authority() const;
};

// wss://HOST[:PORT][/] only (no user info, query or fragment; a path other than "/" is
// refused: the paths are fixed by the protocol). Error "invalid_hub_url".
Result<HubAddress> parse_hub_url(std::string_view url);

}  // namespace phoenix::agent
