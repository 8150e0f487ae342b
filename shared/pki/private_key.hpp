#pragma once
// A private key, owned. Phoenix makes EC P-256 keys where they are used and only ever
// moves their public half (in CSRs); to_pem() output is secret and belongs in a 0600
// file written with write_file_atomic.
#include "shared/core/error.hpp"
#include "shared/pki/key_type.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <string>
#include <string_view>

namespace phoenix::pki {

class PrivateKey {
 public:
  // A fresh EC P-256 key from the default provider's RNG.
  static Result<PrivateKey> generate_p256();

  // Unencrypted PKCS#8 ("PRIVATE KEY") or traditional ("EC PRIVATE KEY", "RSA PRIVATE
  // KEY") PEM; an "EC PARAMETERS" block (openssl ecparam -genkey output) is skipped.
  // Any key type loads: callers that need P-256 check with require_p256().
  // Errors: "invalid_pem" (garbage, no key, several keys, encrypted key).
  static Result<PrivateKey> from_pem(std::string_view pem);

  // Takes ownership; `key` must not be null.
  explicit PrivateKey(EvpPkeyPtr key);

  PrivateKey(const PrivateKey& other);  // shares the immutable key (EVP_PKEY_up_ref)
  PrivateKey& operator=(const PrivateKey& other);
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;

  std::string to_pem() const;             // unencrypted PKCS#8 "PRIVATE KEY"
  std::string public_key_pem() const;     // SubjectPublicKeyInfo "PUBLIC KEY"
  KeyInfo info() const;
  Result<void> require_p256() const;      // "weak_key" / "wrong_key_type" unless P-256

  // Borrowed; valid while this object lives. For OpenSSL calls the module does not wrap.
  EVP_PKEY* native() const noexcept { return key_.get(); }

 private:
  EvpPkeyPtr key_;
};

}  // namespace phoenix::pki
