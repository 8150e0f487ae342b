#include "shared/pki/certificate_request.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/pem.hpp"
#include "shared/pki/x509_names.hpp"

#include <openssl/x509v3.h>

#include <utility>

namespace phoenix::pki {

CertificateRequest::CertificateRequest(X509ReqPtr request) : request_(std::move(request)) {}

Result<CertificateRequest> CertificateRequest::create(const PrivateKey& key,
                                                      std::string common_name,
                                                      std::vector<std::string> dns_names,
                                                      std::vector<std::string> ip_addresses) {
  if (auto valid = validate_common_name(common_name); !valid) return valid.error();
  for (std::string& dns : dns_names) {
    auto canonical = canonical_dns_name(dns);
    if (!canonical) return canonical.error();
    dns = std::move(*canonical);
  }
  for (std::string& ip : ip_addresses) {
    auto canonical = canonical_ip(ip);
    if (!canonical) return canonical.error();
    ip = std::move(*canonical);
  }

  X509ReqPtr request(X509_REQ_new());
  if (!request || X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    return openssl_failure("allocate a certificate request");
  }
  X509_NAME* subject = X509_REQ_get_subject_name(request.get());  // get0: owned by request
  if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::invalid_name,
                     "cannot put '" + common_name + "' in a certificate subject (" + detail + ")");
  }
  if (!dns_names.empty() || !ip_addresses.empty()) {
    auto san = make_subject_alt_name_extension(dns_names, ip_addresses);
    if (!san) return san.error();
    ExtensionStackPtr extensions(sk_X509_EXTENSION_new_null());
    if (!extensions || sk_X509_EXTENSION_push(extensions.get(), san->get()) <= 0) {
      return openssl_failure("collect the request extensions");
    }
    (void)san->release();  // now owned by the stack
    if (X509_REQ_add_extensions(request.get(), extensions.get()) != 1) {
      return openssl_failure("add the subjectAltName to the request");
    }
  }
  if (X509_REQ_set_pubkey(request.get(), key.native()) != 1 ||
      X509_REQ_sign(request.get(), key.native(), EVP_sha256()) <= 0) {
    return openssl_failure("sign the certificate request");
  }
  return CertificateRequest(std::move(request));
}

Result<CertificateRequest> CertificateRequest::from_pem(std::string_view pem) {
  auto blocks = read_pem_blocks(pem);
  if (!blocks) return blocks.error();
  if (blocks->size() != 1 || ((*blocks)[0].type != "CERTIFICATE REQUEST" &&
                              (*blocks)[0].type != "NEW CERTIFICATE REQUEST")) {
    return pki_error(errc::invalid_pem,
                     "expected exactly one '-----BEGIN CERTIFICATE REQUEST-----' block");
  }
  const std::string& der = (*blocks)[0].der;
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509ReqPtr request(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
  if (!request) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::invalid_pem, "the data is not a valid certificate request (" + detail + ")");
  }
  CertificateRequest parsed(std::move(request));
  if (auto verified = parsed.verify_signature(); !verified) return verified.error();
  return parsed;
}

Result<void> CertificateRequest::verify_signature() const {
  EvpPkeyPtr key = public_key();
  if (!key) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::bad_csr_signature,
                     "the request carries no usable public key (" + detail + ")");
  }
  if (X509_REQ_verify(request_.get(), key.get()) != 1) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::bad_csr_signature,
                     "the request's signature does not verify (tampered or corrupted in "
                     "transit); make a new CSR from the key" +
                         (detail.empty() ? std::string() : " (" + detail + ")"));
  }
  return ok();
}

EvpPkeyPtr CertificateRequest::public_key() const {
  return EvpPkeyPtr(X509_REQ_get_pubkey(request_.get()));
}

std::string CertificateRequest::to_pem() const {
  unsigned char* der = nullptr;
  int length = i2d_X509_REQ(request_.get(), &der);
  if (length <= 0) {
    drain_openssl_errors();
    return {};
  }
  OpenSslBytesPtr owned(der);
  return write_pem_block("CERTIFICATE REQUEST",
                         std::string_view(reinterpret_cast<const char*>(der),
                                          static_cast<std::size_t>(length)));
}

CsrFacts CertificateRequest::facts() const {
  CsrFacts facts;
  const X509_NAME* subject = X509_REQ_get_subject_name(request_.get());
  facts.common_name = common_name_of(subject);
  facts.common_name_count = common_name_count(subject);

  ExtensionStackPtr extensions(X509_REQ_get_extensions(request_.get()));
  if (extensions) {
    int critical = -1;
    GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions.get(), NID_subject_alt_name, &critical, nullptr)));
    // critical == -1: no SAN requested; -2: requested twice; >= 0 with null: undecodable.
    if (!sans && critical != -1) facts.malformed_extensions = true;
    SubjectAltNames names = read_subject_alt_names(sans.get());
    facts.dns_names = std::move(names.dns_names);
    facts.ip_addresses = std::move(names.ip_addresses);
    facts.other_names = std::move(names.other_names);
  }
  EvpPkeyPtr key = public_key();
  facts.key = describe_key(key.get());
  drain_openssl_errors();
  return facts;
}

}  // namespace phoenix::pki
