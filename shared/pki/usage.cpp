#include "shared/pki/usage.hpp"

namespace phoenix::pki {

std::string_view to_string(Usage usage) {
  switch (usage) {
    case Usage::server_auth: return "serverAuth";
    case Usage::client_auth: return "clientAuth";
  }
  return "unknown";
}

}  // namespace phoenix::pki
