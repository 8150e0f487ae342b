#pragma once
// The steps of minting an X.509 v3 certificate that the CA shares between its own
// self-signed certificate and the leaves it signs: random serial, validity window,
// extensions, signature. Each returns a Result so a failure names the step.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <string>

namespace phoenix::pki {

// A new, empty X.509 v3 certificate with a random positive 128-bit serial (RFC 5280
// allows up to 20 octets; CA/B Forum asks for at least 64 bits of entropy).
Result<X509Ptr> new_certificate_with_random_serial();

// A subject/issuer name holding one commonName.
Result<X509NamePtr> name_with_common_name(const std::string& common_name);

Result<void> set_validity(X509* cert, TimePoint not_before, TimePoint not_after);

// Adds one extension written in openssl.cnf syntax ("critical,CA:TRUE", "hash",
// "keyid:always"), evaluated with `issuer` as the issuing certificate (the cert itself
// when self-signed). Values are constants of this module, never caller input.
Result<void> add_extension(X509* cert, const X509* issuer, int nid, const char* value);

// Adds a prepared extension (X509_add_ext copies it).
Result<void> add_extension(X509* cert, X509_EXTENSION* extension);

// Signs with ECDSA/SHA-256 (or RSA/SHA-256 for an RSA key).
Result<void> sign_certificate(X509* cert, EVP_PKEY* issuer_key);

}  // namespace phoenix::pki
