#include "hub/agents/docker_issuer.hpp"

#include "shared/pki/error_codes.hpp"

namespace phoenix::hub {

pki::SigningPolicy docker_cert_policy(DockerCertKind kind, const std::string& vm,
                                      const std::string& peer_ip, std::chrono::seconds lifetime) {
  pki::SigningPolicy policy;
  policy.common_name = vm;
  policy.lifetime = lifetime;
  policy.require_p256 = true;
  if (kind == DockerCertKind::client) {
    policy.usage = pki::Usage::client_auth;
    return policy;
  }
  policy.usage = pki::Usage::server_auth;
  policy.dns_names = {vm, "localhost"};
  policy.ip_addresses = {"127.0.0.1", "::1"};
  if (!peer_ip.empty()) policy.ip_addresses.insert(peer_ip);
  return policy;
}

DockerIssuer::DockerIssuer(pki::CertificateAuthority ca, std::chrono::seconds lifetime)
    : ca_(std::move(ca)), lifetime_(lifetime) {}

Result<pki::Certificate> DockerIssuer::issue(DockerCertKind kind, std::string_view csr_pem, const std::string& vm,
                                             const std::string& peer_ip, pki::TimePoint now) const {
  auto request = pki::CertificateRequest::from_pem(csr_pem);
  if (!request) return make_error("invalid_request", "csr: " + request.error().message);
  const auto facts = request->facts();
  if (facts.common_name != vm) {
    return make_error("name_not_allowed", "docker certs of " + vm + " must name it; the CSR claims " +
                                              facts.common_name);
  }
  const auto policy = docker_cert_policy(kind, vm, peer_ip, lifetime_);
  if (auto checked = pki::check_request(facts, policy); !checked) {
    const auto& e = checked.error();
    if (e.code == pki::errc::name_not_allowed) return e;
    return make_error("invalid_request", "csr: " + e.message);
  }
  return ca_.sign(*request, policy, now);
}

}  // namespace phoenix::hub
