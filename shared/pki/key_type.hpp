#pragma once
// What kind of public key an object carries, and the policy check Phoenix applies to it:
// every key Phoenix issues for or accepts is EC P-256 (SPEC: "The hub's CA (EC P-256)",
// keys generated where they are used). Kept as plain data so policy decisions can be
// tested without OpenSSL objects.
#include "shared/core/error.hpp"

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace phoenix::pki {

enum class KeyType { unknown, ec_p256, ec_other, rsa, ed25519, other };

std::string_view to_string(KeyType type);

struct KeyInfo {
  KeyType type = KeyType::unknown;
  int bits = 0;             // security-relevant size: curve order bits or RSA modulus bits
  std::string description;  // for messages: "EC P-256", "EC secp384r1", "RSA 2048", "ED25519"
};

// Describes any key OpenSSL can hold (public or private); nullptr gives `unknown`.
KeyInfo describe_key(const EVP_PKEY* key);

// ok() for EC P-256. "weak_key" for keys below P-256 strength (EC < 256 bits, RSA < 2048);
// "wrong_key_type" for everything else. `whose` starts the message ("CSR key", "CA key").
Result<void> require_p256(const KeyInfo& key, std::string_view whose);

}  // namespace phoenix::pki
