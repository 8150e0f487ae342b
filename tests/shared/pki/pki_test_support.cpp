#include "tests/shared/pki/pki_test_support.hpp"

#include "shared/pki/certificate_builder.hpp"
#include "shared/pki/pem.hpp"

namespace phoenix::pki::test {

CertificateAuthority make_ca(const std::string& common_name, TimePoint now) {
  return CertificateAuthority::create(common_name, std::chrono::hours{24 * 365}, now).value();
}

SigningPolicy policy_for(const std::string& common_name, Usage usage,
                         std::vector<std::string> dns_names,
                         std::vector<std::string> ip_addresses) {
  SigningPolicy policy;
  policy.common_name = common_name;
  policy.dns_names.insert(dns_names.begin(), dns_names.end());
  policy.ip_addresses.insert(ip_addresses.begin(), ip_addresses.end());
  policy.usage = usage;
  policy.lifetime = std::chrono::hours{24 * 7};
  return policy;
}

IssuedLeaf issue(const CertificateAuthority& ca, const SigningPolicy& policy, TimePoint now) {
  PrivateKey key = PrivateKey::generate_p256().value();
  auto request = CertificateRequest::create(
                     key, policy.common_name,
                     std::vector<std::string>(policy.dns_names.begin(), policy.dns_names.end()),
                     std::vector<std::string>(policy.ip_addresses.begin(),
                                              policy.ip_addresses.end()))
                     .value();
  Certificate certificate = ca.sign(request, policy, now).value();
  return IssuedLeaf{std::move(key), std::move(certificate)};
}

Certificate handmade_ca(const PrivateKey& key, bool with_subject_key_id) {
  X509Ptr cert = new_certificate_with_random_serial().value();
  X509* x = cert.get();
  X509NamePtr name = name_with_common_name("Handmade CA").value();
  X509_set_subject_name(x, name.get());
  X509_set_issuer_name(x, name.get());
  X509_set_pubkey(x, key.native());
  auto now = std::chrono::system_clock::now();
  set_validity(x, now - std::chrono::hours{1}, now + std::chrono::hours{24}).value();
  add_extension(x, x, NID_basic_constraints, "critical,CA:TRUE").value();
  add_extension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign").value();
  if (with_subject_key_id) add_extension(x, x, NID_subject_key_identifier, "hash").value();
  sign_certificate(x, key.native()).value();
  return Certificate(std::move(cert));
}

Certificate cli_style_ca(const PrivateKey& key, const std::string& key_usage) {
  X509Ptr cert = new_certificate_with_random_serial().value();
  X509* x = cert.get();
  X509NamePtr name = name_with_common_name("CLI-made CA").value();
  X509_set_subject_name(x, name.get());
  X509_set_issuer_name(x, name.get());
  X509_set_pubkey(x, key.native());
  auto now = std::chrono::system_clock::now();
  set_validity(x, now - std::chrono::hours{1}, now + std::chrono::hours{24}).value();
  add_extension(x, x, NID_subject_key_identifier, "hash").value();
  add_extension(x, x, NID_authority_key_identifier, "keyid:always").value();
  add_extension(x, x, NID_basic_constraints, "critical,CA:TRUE").value();
  if (!key_usage.empty()) add_extension(x, x, NID_key_usage, key_usage.c_str()).value();
  sign_certificate(x, key.native()).value();
  return Certificate(std::move(cert));
}

Certificate cli_style_leaf(const Certificate& issuer, const PrivateKey& issuer_key,
                           const PrivateKey& key, Usage usage, const std::string& san) {
  X509Ptr cert = new_certificate_with_random_serial().value();
  X509* x = cert.get();
  X509NamePtr name = name_with_common_name("cli-leaf").value();
  X509_set_subject_name(x, name.get());
  X509_set_issuer_name(x, X509_get_subject_name(issuer.native()));
  X509_set_pubkey(x, key.native());
  auto now = std::chrono::system_clock::now();
  set_validity(x, now - std::chrono::hours{1}, now + std::chrono::hours{24}).value();
  // OpenSSL 3's x509 command adds SKID and AKID itself.
  add_extension(x, issuer.native(), NID_subject_key_identifier, "hash").value();
  add_extension(x, issuer.native(), NID_authority_key_identifier, "keyid:always").value();
  add_extension(x, issuer.native(), NID_ext_key_usage,
                usage == Usage::server_auth ? "serverAuth" : "clientAuth").value();
  if (!san.empty()) add_extension(x, issuer.native(), NID_subject_alt_name, san.c_str()).value();
  sign_certificate(x, issuer_key.native()).value();
  return Certificate(std::move(cert));
}

std::string handmade_csr_pem(const PrivateKey& key,
                             const std::vector<std::pair<std::string, std::string>>& subject,
                             const std::string& san) {
  X509ReqPtr request(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(request.get());
  for (const auto& [field, value] : subject) {
    X509_NAME_add_entry_by_txt(name, field.c_str(), MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  }
  if (!san.empty()) {
    X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str()));
    ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
    sk_X509_EXTENSION_push(extensions.get(), extension.release());
    X509_REQ_add_extensions(request.get(), extensions.get());
  }
  X509_REQ_set_pubkey(request.get(), key.native());
  X509_REQ_sign(request.get(), key.native(), EVP_sha256());
  unsigned char* der = nullptr;
  int length = i2d_X509_REQ(request.get(), &der);
  std::string bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return write_pem_block("CERTIFICATE REQUEST", bytes);
}

std::string der_to_pem(const std::string& type, const std::string& der) {
  return write_pem_block(type, der);
}

std::string pem_to_der(const std::string& pem) {
  auto blocks = read_pem_blocks(pem).value();
  return blocks.at(0).der;
}

}  // namespace phoenix::pki::test
