#pragma once
// Throw-away PKI for the channel's tests: a CA and leaves signed by it, in memory.
#include "shared/pki/certificate_authority.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace phoenix::agent::testing {

struct Leaf {
  pki::PrivateKey key;
  pki::Certificate cert;
};

inline pki::CertificateAuthority make_ca(const std::string& name) {
  return pki::CertificateAuthority::create(name, std::chrono::hours{24}).value();
}

inline Leaf make_leaf(const pki::CertificateAuthority& ca, const std::string& cn,
                      std::vector<std::string> dns, std::vector<std::string> ips, pki::Usage usage,
                      std::chrono::seconds lifetime = std::chrono::hours{1}) {
  auto key = pki::PrivateKey::generate_p256().value();
  auto csr = pki::CertificateRequest::create(key, cn, dns, ips).value();
  pki::SigningPolicy policy;
  policy.common_name = cn;
  policy.dns_names = {dns.begin(), dns.end()};
  policy.ip_addresses = {ips.begin(), ips.end()};
  policy.usage = usage;
  policy.lifetime = lifetime;
  auto cert = ca.sign(csr, policy).value();
  return Leaf{std::move(key), std::move(cert)};
}

}  // namespace phoenix::agent::testing
