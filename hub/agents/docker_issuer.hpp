#pragma once
// Signs the docker TLS certs an agent asks for during a docker-tls rotation, with the docker
// CA (kept apart from the identity CA, SPEC "Trust model"). The agent makes both keys and
// sends CSRs over its live channel; the hub signs only what this policy allows:
//  - dockerd server cert: CN = the VM name; DNS SANs within {VM name, localhost}; IP SANs
//    within {127.0.0.1, ::1, the address the agent's channel comes from}; EKU serverAuth;
//  - docker client cert (for the `phoenix` contexts): CN = the VM name, no SANs, clientAuth.
#include "shared/core/error.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace phoenix::hub {

enum class DockerCertKind { server, client };

pki::SigningPolicy docker_cert_policy(DockerCertKind kind, const std::string& vm,
                                      const std::string& peer_ip, std::chrono::seconds lifetime);

class DockerIssuer {
 public:
  DockerIssuer(pki::CertificateAuthority ca, std::chrono::seconds lifetime);

  // Errors: "invalid_request" (not a CSR, wrong key type), "name_not_allowed" (a name
  // outside the policy, named in the message), "ca_expired", "openssl_failure".
  Result<pki::Certificate> issue(DockerCertKind kind, std::string_view csr_pem, const std::string& vm,
                                 const std::string& peer_ip, pki::TimePoint now) const;

  std::string ca_pem() const { return ca_.certificate().to_pem(); }
  pki::TimePoint ca_not_after() const { return ca_.certificate().facts().not_after; }

 private:
  pki::CertificateAuthority ca_;
  std::chrono::seconds lifetime_;
};

}  // namespace phoenix::hub
