#include "agent/channel/local_client_ca.hpp"

#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/certificate_request.hpp"
#include "shared/pki/signing_policy.hpp"

#include <chrono>

namespace phoenix::agent {

Result<LocalClientMaterial> make_local_client(const std::string& vm, const std::string& client_csr_pem,
                                              const std::string& operator_ca_pem, pki::TimePoint not_after,
                                              pki::TimePoint now) {
  if (!operator_ca_pem.empty()) {
    auto operators = pki::certificates_from_pem(operator_ca_pem);
    if (!operators || operators->empty()) {
      return make_error("invalid_answer", "the hub's operator_ca is not a PEM certificate bundle");
    }
  }
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(not_after - now);
  if (lifetime <= std::chrono::seconds::zero()) {
    return make_error("invalid_answer", "the signed server cert has already expired");
  }
  // The CA outlives its leaf by the clock-skew allowance on both ends, so the leaf (back-dated
  // by the same allowance) always lies inside it.
  auto ca = pki::CertificateAuthority::create("Phoenix docker clients of " + vm, lifetime, now);
  if (!ca) return ca.error();
  auto csr = pki::CertificateRequest::from_pem(client_csr_pem);
  if (!csr) return csr.error();
  pki::SigningPolicy policy;
  policy.common_name = vm;
  policy.usage = pki::Usage::client_auth;
  policy.lifetime = lifetime;
  auto cert = ca->sign(*csr, policy, now);
  if (!cert) return cert.error();
  return LocalClientMaterial{ca->certificate().to_pem() + operator_ca_pem, cert->to_pem()};
}

}  // namespace phoenix::agent
