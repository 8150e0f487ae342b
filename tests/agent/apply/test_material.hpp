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

// A complete set made the way docker's docs and old scripts make one with the openssl CLI:
// `openssl req -x509` CA (no keyUsage unless `ca_key_usage` says, openssl.cnf syntax) and
// leaves with only extendedKeyUsage and subjectAltName.
CertFiles openssl_cli_files(const std::string& ca_key_usage = "");

}  // namespace phoenix::agent::apply::test
