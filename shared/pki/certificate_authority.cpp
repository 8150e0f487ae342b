#include "shared/pki/certificate_authority.hpp"

#include "shared/pki/certificate_builder.hpp"
#include "shared/pki/error_codes.hpp"
#include "shared/pki/x509_names.hpp"

#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

namespace phoenix::pki {

CertificateAuthority::CertificateAuthority(Certificate certificate, PrivateKey key)
    : certificate_(std::move(certificate)), key_(std::move(key)) {}

Result<CertificateAuthority> CertificateAuthority::create(std::string common_name,
                                                          std::chrono::seconds lifetime,
                                                          TimePoint now) {
  if (auto valid = validate_common_name(common_name); !valid) return valid.error();
  if (lifetime <= std::chrono::seconds::zero()) {
    return pki_error(errc::invalid_policy, "a CA lifetime must be positive");
  }
  auto key = PrivateKey::generate_p256();
  if (!key) return key.error();
  auto cert = new_certificate_with_random_serial();
  if (!cert) return cert.error();
  X509* x = cert->get();
  auto name = name_with_common_name(common_name);
  if (!name) return name.error();
  if (X509_set_subject_name(x, name->get()) != 1 || X509_set_issuer_name(x, name->get()) != 1 ||
      X509_set_pubkey(x, key->native()) != 1) {
    return openssl_failure("fill in the CA certificate");
  }
  // No authorityKeyIdentifier: RFC 5280 lets a self-signed root omit it, and the
  // subject key identifier is what leaves point at.
  for (auto step : {set_validity(x, now - kClockSkewAllowance, now + lifetime),
                    add_extension(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"),
                    add_extension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign"),
                    add_extension(x, x, NID_subject_key_identifier, "hash"),
                    sign_certificate(x, key->native())}) {
    if (!step) return step.error();
  }
  return CertificateAuthority(Certificate(std::move(*cert)), std::move(*key));
}

Result<CertificateAuthority> CertificateAuthority::load(std::string_view cert_pem,
                                                        std::string_view key_pem) {
  auto cert = Certificate::from_pem(cert_pem);
  if (!cert) return cert.error();
  auto key = PrivateKey::from_pem(key_pem);
  if (!key) return key.error();
  if (auto strong = pki::require_p256(key->info(), "the CA key"); !strong) return strong.error();
  CertFacts facts = cert->facts();
  uint32_t flags = X509_get_extension_flags(cert->native());
  bool may_sign = (flags & EXFLAG_KUSAGE) == 0 ||
                  (X509_get_key_usage(cert->native()) & KU_KEY_CERT_SIGN) != 0;
  if (!facts.is_ca || !may_sign) {
    return pki_error(errc::not_a_ca, "certificate '" + facts.subject_cn +
                                         "' is not a CA (it needs basicConstraints CA:TRUE and "
                                         "keyUsage keyCertSign); give the CA certificate, not a leaf");
  }
  if (X509_get0_subject_key_id(cert->native()) == nullptr) {
    // Leaves must name their issuer's key (authorityKeyIdentifier), and strict chain
    // verification (verify_chain) refuses a CA without one: fail here, not on first use.
    return pki_error(errc::unsupported_ca,
                     "CA certificate '" + facts.subject_cn +
                         "' has no subjectKeyIdentifier; re-issue it with "
                         "subjectKeyIdentifier=hash, or let phoenix-hub init create the CA");
  }
  if (X509_check_private_key(cert->native(), key->native()) != 1) {
    drain_openssl_errors();
    return pki_error(errc::key_mismatch, "the CA key does not belong to CA certificate '" +
                                             facts.subject_cn + "' (serial " + facts.serial_hex +
                                             "); give the key that was made with this certificate");
  }
  return CertificateAuthority(std::move(*cert), std::move(*key));
}

Result<Certificate> CertificateAuthority::sign(const CertificateRequest& request,
                                               const SigningPolicy& policy, TimePoint now) const {
  if (auto verified = request.verify_signature(); !verified) return verified.error();
  CsrFacts requested = request.facts();
  if (auto allowed = check_request(requested, policy); !allowed) return allowed.error();

  CertFacts ca = certificate_.facts();
  if (now >= ca.not_after) {
    return pki_error(errc::ca_expired, "CA '" + ca.subject_cn + "' expired at " +
                                           format_utc(ca.not_after) +
                                           "; rotate the CA before signing");
  }
  TimePoint not_after = std::min(now + policy.lifetime, ca.not_after);

  auto cert = new_certificate_with_random_serial();
  if (!cert) return cert.error();
  X509* x = cert->get();
  X509* issuer = certificate_.native();
  auto subject = name_with_common_name(policy.common_name);
  if (!subject) return subject.error();
  EvpPkeyPtr public_key = request.public_key();
  if (!public_key || X509_set_subject_name(x, subject->get()) != 1 ||
      X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1 ||
      X509_set_pubkey(x, public_key.get()) != 1) {
    return openssl_failure("fill in the certificate");
  }
  const char* usage = policy.usage == Usage::server_auth ? "serverAuth" : "clientAuth";
  for (auto step : {set_validity(x, now - kClockSkewAllowance, not_after),
                    add_extension(x, issuer, NID_basic_constraints, "critical,CA:FALSE"),
                    add_extension(x, issuer, NID_key_usage, "critical,digitalSignature"),
                    add_extension(x, issuer, NID_ext_key_usage, usage),
                    add_extension(x, issuer, NID_subject_key_identifier, "hash"),
                    add_extension(x, issuer, NID_authority_key_identifier, "keyid:always")}) {
    if (!step) return step.error();
  }
  // SANs are rebuilt from the checked facts rather than copied as raw extension bytes:
  // only what check_request saw can reach the certificate.
  if (!requested.dns_names.empty() || !requested.ip_addresses.empty()) {
    std::vector<std::string> dns_names;
    for (const std::string& dns : requested.dns_names) dns_names.push_back(*canonical_dns_name(dns));
    auto san = make_subject_alt_name_extension(dns_names, requested.ip_addresses);
    if (!san) return san.error();
    if (auto added = add_extension(x, san->get()); !added) return added.error();
  }
  if (auto signed_ok = sign_certificate(x, key_.native()); !signed_ok) return signed_ok.error();
  return Certificate(std::move(*cert));
}

}  // namespace phoenix::pki
