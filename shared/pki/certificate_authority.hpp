#pragma once
// A certificate authority: an EC P-256 key and its self-signed CA certificate. The hub
// keeps two (identity CA, docker CA) and signs CSRs only after check_request() passes,
// so a CSR can never obtain a name, usage or lifetime its SigningPolicy does not grant.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/pki/signing_policy.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace phoenix::pki {

// Leaves start this long before "now", so peers whose clocks lag a little accept them.
inline constexpr std::chrono::minutes kClockSkewAllowance{5};

class CertificateAuthority {
 public:
  // A new P-256 key and a self-signed CA certificate: basicConstraints critical CA:TRUE
  // with pathlen:0 (it signs leaves only), keyUsage critical keyCertSign+cRLSign, subject
  // key identifier. Valid from now - kClockSkewAllowance until now + lifetime.
  // `now` is injectable for tests. Errors: "invalid_name", "invalid_policy".
  static Result<CertificateAuthority> create(std::string common_name,
                                             std::chrono::seconds lifetime,
                                             TimePoint now = std::chrono::system_clock::now());

  // An operator-supplied or stored CA. Errors: "invalid_pem", "key_mismatch" (the key is
  // not the certificate's), "not_a_ca" (no CA:TRUE or no keyCertSign), "weak_key" /
  // "wrong_key_type" (Phoenix CAs are P-256), "unsupported_ca" (no subjectKeyIdentifier).
  static Result<CertificateAuthority> load(std::string_view cert_pem, std::string_view key_pem);

  const Certificate& certificate() const noexcept { return certificate_; }
  const PrivateKey& key() const noexcept { return key_; }

  // Signs `request` under `policy` after re-verifying its signature and check_request():
  // random 128-bit serial, subject CN = policy.common_name, SANs = the CSR's (checked)
  // SANs, EKU = policy.usage only, keyUsage critical digitalSignature, basicConstraints
  // critical CA:FALSE, subject and authority key identifiers. Valid from
  // now - kClockSkewAllowance to now + policy.lifetime, cut at the CA's own expiry.
  // Errors: those of check_request, "bad_csr_signature", "ca_expired".
  Result<Certificate> sign(const CertificateRequest& request, const SigningPolicy& policy,
                           TimePoint now = std::chrono::system_clock::now()) const;

 private:
  CertificateAuthority(Certificate certificate, PrivateKey key);
  Certificate certificate_;
  PrivateKey key_;
};

}  // namespace phoenix::pki
