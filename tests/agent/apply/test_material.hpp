#pragma once
// Cert files for apply tests, built with phoenix::pki: a docker CA, a dockerd server cert
// (127.0.0.1 + localhost) and a client cert, with knobs to make each refusal case.
#include "agent/apply/material_validation.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::agent::apply::test {

struct LeafOptions {
  std::vector<std::string> dns{"localhost"};
  std::vector<std::string> ips{"127.0.0.1"};
  pki::Usage usage = pki::Usage::server_auth;
  std::chrono::seconds lifetime{std::chrono::hours(24)};
  pki::TimePoint issued_at = std::chrono::system_clock::now();
};

struct Leaf {
  std::string cert_pem;
  std::string key_pem;
  std::string serial;
};

pki::CertificateAuthority make_ca(const std::string& name = "Phoenix Docker Test CA");
Leaf issue(const pki::CertificateAuthority& ca, const std::string& cn, const LeafOptions& options);
Leaf server_leaf(const pki::CertificateAuthority& ca);
Leaf client_leaf(const pki::CertificateAuthority& ca);

// A complete, valid set of files from `ca`.
CertFiles good_files(const pki::CertificateAuthority& ca);
ValidatedMaterial validated(const CertFiles& files);

}  // namespace phoenix::agent::apply::test
