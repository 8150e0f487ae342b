#pragma once
// What a leaf certificate is for: the TLS side it may act as (its extended key usage).
#include <string_view>

namespace phoenix::pki {

enum class Usage { server_auth, client_auth };

// "serverAuth" / "clientAuth", the names openssl and RFC 5280 use.
std::string_view to_string(Usage usage);

}  // namespace phoenix::pki
