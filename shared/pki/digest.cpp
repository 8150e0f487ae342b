#include "shared/pki/digest.hpp"

#include "shared/core/log.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdlib>
#include <vector>

namespace phoenix::pki {

std::string to_hex(std::string_view bytes, bool uppercase) {
  const char* digits = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0x0F]);
  }
  return hex;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // SHA-256 from the default provider cannot fail short of a broken installation.
    log::error("pki", "SHA-256 failed: " + drain_openssl_errors());
    std::abort();
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string random_token(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (bytes > static_cast<std::size_t>(INT_MAX) ||
      RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    log::error("pki", "RAND_bytes failed, refusing to continue: " + drain_openssl_errors());
    std::abort();
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
}

}  // namespace phoenix::pki
