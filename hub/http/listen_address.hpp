#pragma once
// "ADDR:PORT" as in `api.listen` and `--api-listen` ("127.0.0.1:8082", "[::1]:0").
#include "shared/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace phoenix::hub::http {

struct ListenAddress {
  std::string host;  // numeric IPv4/IPv6 address, without brackets
  std::uint16_t port = 0;

  bool is_loopback() const;
  std::string to_string() const;  // "127.0.0.1:8082", "[::1]:8082"
};

// Only numeric addresses: a listen address that needs DNS is a configuration mistake.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace phoenix::hub::http
