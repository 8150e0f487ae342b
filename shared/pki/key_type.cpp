#include "shared/pki/key_type.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/openssl_ptr.hpp"

namespace phoenix::pki {

std::string_view to_string(KeyType type) {
  switch (type) {
    case KeyType::unknown: return "unknown";
    case KeyType::ec_p256: return "ec_p256";
    case KeyType::ec_other: return "ec_other";
    case KeyType::rsa: return "rsa";
    case KeyType::ed25519: return "ed25519";
    case KeyType::other: return "other";
  }
  return "unknown";
}

KeyInfo describe_key(const EVP_PKEY* key) {
  KeyInfo info;
  if (key == nullptr) {
    info.description = "no key";
    return info;
  }
  info.bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[80] = {};
    size_t length = 0;
    std::string curve = "unknown curve";
    if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) == 1) curve = group;
    // OpenSSL names P-256 by its SECG/X9.62 name; accept the NIST alias too.
    bool p256 = curve == "prime256v1" || curve == "P-256" || curve == "secp256r1";
    info.type = p256 ? KeyType::ec_p256 : KeyType::ec_other;
    info.description = p256 ? "EC P-256" : "EC " + curve;
  } else if (EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_is_a(key, "RSA-PSS")) {
    info.type = KeyType::rsa;
    info.description = "RSA " + std::to_string(info.bits);
  } else if (EVP_PKEY_is_a(key, "ED25519")) {
    info.type = KeyType::ed25519;
    info.description = "ED25519";
  } else {
    info.type = KeyType::other;
    const char* name = EVP_PKEY_get0_type_name(key);
    info.description = name != nullptr ? name : "unknown key type";
  }
  drain_openssl_errors();  // a failed group-name lookup must not linger in the queue
  return info;
}

Result<void> require_p256(const KeyInfo& key, std::string_view whose) {
  if (key.type == KeyType::ec_p256) return ok();
  std::string fix =
      "; Phoenix requires EC P-256 keys: generate a new one "
      "(openssl ecparam -name prime256v1 -genkey -noout) or let Phoenix make it";
  bool weak = (key.type == KeyType::ec_other && key.bits < 256) ||
              (key.type == KeyType::rsa && key.bits < 2048);
  if (weak) {
    return pki_error(errc::weak_key, std::string(whose) + " is a weak " + key.description + fix);
  }
  return pki_error(errc::wrong_key_type, std::string(whose) + " is " + key.description + fix);
}

}  // namespace phoenix::pki
