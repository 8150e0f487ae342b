#pragma once
// Signs agent identity certs: CN = the VM name, at most that name as a DNS SAN, EKU
// clientAuth, P-256, a fixed lifetime. Shared by enrollment (first identity) and the
// channel's sign_request (renewal), so both apply exactly the same policy.
#include "shared/core/error.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace phoenix::hub {

// The policy for `vm`'s identity cert.
pki::SigningPolicy identity_policy(const std::string& vm, std::chrono::seconds lifetime);

class IdentityIssuer {
 public:
  IdentityIssuer(pki::CertificateAuthority ca, std::chrono::seconds lifetime);

  // Parses `csr_pem` and signs it for `vm` after the policy check. Errors:
  // "invalid_request" (not a CSR, bad signature, weak or wrong key type),
  // "name_not_allowed" (CN other than `vm`, other SANs), "ca_expired", "openssl_failure".
  Result<pki::Certificate> issue(std::string_view csr_pem, const std::string& vm,
                                 pki::TimePoint now) const;

  // Parse + policy check only, no signature (used before an enrollment token is spent).
  Result<void> check(std::string_view csr_pem, const std::string& vm) const;

  std::string ca_pem() const { return ca_.certificate().to_pem(); }

 private:
  Result<pki::CertificateRequest> parse_and_check(std::string_view csr_pem, const std::string& vm) const;

  pki::CertificateAuthority ca_;
  std::chrono::seconds lifetime_;
};

}  // namespace phoenix::hub
