#include "tests/agent/apply/test_material.hpp"

#include "shared/pki/certificate_request.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <stdexcept>

namespace phoenix::agent::apply::test {

pki::CertificateAuthority make_ca(const std::string& name) {
  return pki::CertificateAuthority::create(name, std::chrono::hours(24 * 365)).value();
}

Leaf issue(const pki::CertificateAuthority& ca, const std::string& cn, const LeafOptions& options) {
  auto key = pki::PrivateKey::generate_p256().value();
  auto request = pki::CertificateRequest::create(key, cn, options.dns, options.ips).value();
  pki::SigningPolicy policy;
  policy.common_name = cn;
  policy.dns_names = {options.dns.begin(), options.dns.end()};
  policy.ip_addresses = {options.ips.begin(), options.ips.end()};
  policy.usage = options.usage;
  policy.lifetime = options.lifetime;
  auto cert = ca.sign(request, policy, options.issued_at).value();
  return Leaf{cert.to_pem(), key.to_pem(), cert.facts().serial_hex};
}

Leaf server_leaf(const pki::CertificateAuthority& ca) { return issue(ca, "dockerd", LeafOptions{}); }

Leaf client_leaf(const pki::CertificateAuthority& ca) {
  LeafOptions o;
  o.dns = {};
  o.ips = {};
  o.usage = pki::Usage::client_auth;
  return issue(ca, "phoenix-client", o);
}

CertFiles good_files(const pki::CertificateAuthority& ca) {
  const auto server = server_leaf(ca);
  const auto client = client_leaf(ca);
  CertFiles f;
  f.ca_pem = ca.certificate().to_pem();
  f.server_cert_pem = server.cert_pem;
  f.server_key_pem = server.key_pem;
  f.client_cert_pem = client.cert_pem;
  f.client_key_pem = client.key_pem;
  return f;
}

ValidatedMaterial validated(const CertFiles& files) {
  auto v = validate_material(files, std::chrono::system_clock::now());
  if (!v) throw std::runtime_error(v.error().to_string());
  return *v;
}

CertFiles openssl_cli_files(const std::string& ca_key_usage) {
  const auto ca_key = pki::PrivateKey::generate_p256().value();
  const auto ca = pki::test::cli_style_ca(ca_key, ca_key_usage);
  const auto server_key = pki::PrivateKey::generate_p256().value();
  const auto client_key = pki::PrivateKey::generate_p256().value();
  CertFiles f;
  f.ca_pem = ca.to_pem();
  f.server_cert_pem =
      pki::test::cli_style_leaf(ca, ca_key, server_key, pki::Usage::server_auth, "DNS:localhost,IP:127.0.0.1")
          .to_pem();
  f.server_key_pem = server_key.to_pem();
  f.client_cert_pem = pki::test::cli_style_leaf(ca, ca_key, client_key, pki::Usage::client_auth, "").to_pem();
  f.client_key_pem = client_key.to_pem();
  return f;
}

}  // namespace phoenix::agent::apply::test
