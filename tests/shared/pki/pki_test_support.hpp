#pragma once
// Test-only shortcuts built on the public API: a CA, a key + CSR, and a signed leaf.
// They unwrap Results with value(), so a failure aborts the test with the error text.
#include "shared/pki/certificate_authority.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::pki::test {

struct IssuedLeaf {
  PrivateKey key;
  Certificate certificate;
};

CertificateAuthority make_ca(const std::string& common_name = "Phoenix Test CA",
                             TimePoint now = std::chrono::system_clock::now());

SigningPolicy policy_for(const std::string& common_name, Usage usage,
                         std::vector<std::string> dns_names = {},
                         std::vector<std::string> ip_addresses = {});

// A fresh key, a CSR for exactly the policy's names, signed by `ca` at `now`.
IssuedLeaf issue(const CertificateAuthority& ca, const SigningPolicy& policy,
                 TimePoint now = std::chrono::system_clock::now());

// A minimal self-signed CA certificate for `key` built from the raw builder steps, for
// CAs that CertificateAuthority::create would never make (no SKID, other key types).
Certificate handmade_ca(const PrivateKey& key, bool with_subject_key_id);

// A CA made the way `openssl req -x509` makes one with Debian's default openssl.cnf:
// basicConstraints CA:TRUE, SKID and AKID, and keyUsage only when `key_usage` is not empty
// (openssl.cnf syntax, e.g. "critical,digitalSignature").
Certificate cli_style_ca(const PrivateKey& key, const std::string& key_usage);

// A leaf signed by `issuer` the way `openssl x509 -req -extfile` does with only
// "extendedKeyUsage" and "subjectAltName" lines (plus the SKID and AKID OpenSSL 3 adds):
// no keyUsage.
Certificate cli_style_leaf(const Certificate& issuer, const PrivateKey& issuer_key,
                           const PrivateKey& key, Usage usage, const std::string& san);

// A CSR built from raw OpenSSL calls, for requests CertificateRequest::create would never
// make: extra subject entries ("O=system:masters", a second CN) and a SAN written in
// openssl.cnf syntax (e.g. "URI:spiffe://fleet/hub"); empty `san` means none.
std::string handmade_csr_pem(const PrivateKey& key,
                             const std::vector<std::pair<std::string, std::string>>& subject,
                             const std::string& san);

// DER <-> PEM for tamper tests: decode, flip bytes, re-encode, parse again.
std::string der_to_pem(const std::string& type, const std::string& der);
std::string pem_to_der(const std::string& pem);

}  // namespace phoenix::pki::test
