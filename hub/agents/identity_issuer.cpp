#include "hub/agents/identity_issuer.hpp"

#include "shared/pki/error_codes.hpp"

namespace phoenix::hub {

pki::SigningPolicy identity_policy(const std::string& vm, std::chrono::seconds lifetime) {
  pki::SigningPolicy policy;
  policy.common_name = vm;
  policy.dns_names = {vm};
  policy.usage = pki::Usage::client_auth;
  policy.lifetime = lifetime;
  policy.require_p256 = true;
  return policy;
}

IdentityIssuer::IdentityIssuer(pki::CertificateAuthority ca, std::chrono::seconds lifetime)
    : ca_(std::move(ca)), lifetime_(lifetime) {}

Result<pki::CertificateRequest> IdentityIssuer::parse_and_check(std::string_view csr_pem,
                                                                const std::string& vm) const {
  auto request = pki::CertificateRequest::from_pem(csr_pem);
  if (!request) {
    return make_error("invalid_request", "csr: " + request.error().message);
  }
  const auto facts = request->facts();
  if (facts.common_name != vm) {
    return make_error("name_not_allowed",
                      "the request is for " + vm + ", CSR claims " + facts.common_name);
  }
  auto checked = pki::check_request(facts, identity_policy(vm, lifetime_));
  if (!checked) {
    // A name the CSR may not claim is a permission problem; anything else about the CSR
    // (key type, strength) is a malformed request.
    const auto& e = checked.error();
    if (e.code == pki::errc::name_not_allowed) return e;
    return make_error("invalid_request", "csr: " + e.message);
  }
  return request;
}

Result<void> IdentityIssuer::check(std::string_view csr_pem, const std::string& vm) const {
  auto request = parse_and_check(csr_pem, vm);
  if (!request) return request.error();
  return ok();
}

Result<pki::Certificate> IdentityIssuer::issue(std::string_view csr_pem, const std::string& vm,
                                               pki::TimePoint now) const {
  auto request = parse_and_check(csr_pem, vm);
  if (!request) return request.error();
  return ca_.sign(*request, identity_policy(vm, lifetime_), now);
}

}  // namespace phoenix::hub
