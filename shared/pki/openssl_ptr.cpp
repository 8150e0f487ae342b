#include "shared/pki/openssl_ptr.hpp"

#include "shared/pki/error_codes.hpp"

#include <openssl/err.h>

#include <utility>

namespace phoenix::pki {

std::string drain_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

Error openssl_failure(std::string_view what) {
  std::string detail = drain_openssl_errors();
  std::string message = "OpenSSL failed to " + std::string(what);
  if (!detail.empty()) message += " (" + detail + ")";
  return pki_error(errc::openssl_failure, std::move(message));
}

}  // namespace phoenix::pki
