#pragma once
// The checks a certificate must pass before Phoenix trusts or installs it: it chains to
// a trusted root for the intended use at the intended time, it belongs to the private
// key it will be used with, and its SANs cover the names clients will dial.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/pki/usage.hpp"

#include <optional>
#include <string>
#include <vector>

namespace phoenix::pki {

// Which rules a chain is held to.
//   strict:     X509_V_FLAG_X509_STRICT on top of OpenSSL's checks (RFC 5280 profile: a CA
//               must carry keyUsage, an AKID, ...). For chains Phoenix's own CAs make.
//   as_dockerd: what dockerd and the docker CLI (Go's crypto/x509) verify: signatures, dates,
//               purpose (EKU), a keyUsage that is present must allow signing certs; a CA
//               without keyUsage, as `openssl req -x509` makes with Debian's default
//               openssl.cnf, passes. For material an operator brings to `docker apply`.
enum class ChainRules { strict, as_dockerd };

// X509_verify_cert with the roots as the only trust anchors, purpose SSL server/client
// (EKU and keyUsage must allow `purpose`) under `rules`. `at` replaces the current time for
// validity checks. Errors: "cert_expired", "cert_not_yet_valid", "unknown_ca" (no trusted
// root signed it), "wrong_purpose", "chain_invalid" (others, naming the certificate at fault).
Result<void> verify_chain(const Certificate& leaf, const std::vector<Certificate>& trusted_roots,
                          Usage purpose, std::optional<TimePoint> at = {},
                          ChainRules rules = ChainRules::strict);

// X509_check_private_key: "key_mismatch" unless `key` is the certificate's private key.
Result<void> check_key_matches(const Certificate& certificate, const PrivateKey& key);

// Every DNS name and IP is matched by a subjectAltName (X509_check_host without the CN
// fallback; X509_check_ip_asc). "san_missing" names what is not covered.
Result<void> check_covers(const Certificate& certificate, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses);

}  // namespace phoenix::pki
