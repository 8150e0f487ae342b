#include "shared/pki/certificate.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/pki/digest.hpp"
#include "shared/pki/error_codes.hpp"
#include "shared/pki/pem.hpp"
#include "shared/pki/x509_names.hpp"

#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

namespace phoenix::pki {
namespace {

X509Ptr share(const X509Ptr& cert) {
  if (cert) X509_up_ref(cert.get());
  return X509Ptr(cert.get());
}

std::string serial_text(const ASN1_INTEGER* serial) {
  BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!number) {
    drain_openssl_errors();
    return {};
  }
  OpenSslStringPtr hex(BN_bn2hex(number.get()));  // uppercase, "0" for zero
  return hex ? std::string(hex.get()) : std::string();
}

}  // namespace

bool CertFacts::has_usage(Usage usage) const {
  return std::find(extended_key_usages.begin(), extended_key_usages.end(), usage) !=
         extended_key_usages.end();
}

Certificate::Certificate(X509Ptr cert) : cert_(std::move(cert)) {}

Certificate::Certificate(const Certificate& other) : cert_(share(other.cert_)) {}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) cert_ = share(other.cert_);
  return *this;
}

Result<Certificate> Certificate::from_der(std::string_view der) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cert) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::invalid_pem, "the data is not a valid X.509 certificate (" + detail + ")");
  }
  if (cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return pki_error(errc::invalid_pem, "the certificate is followed by trailing bytes");
  }
  return Certificate(std::move(cert));
}

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  auto all = certificates_from_pem(pem);
  if (!all) return all.error();
  if (all->size() != 1) {
    return pki_error(errc::invalid_pem,
                     "expected one certificate but the PEM holds " + std::to_string(all->size()) +
                         "; give the leaf alone (bundles are read with certificates_from_pem)");
  }
  return std::move(all->front());
}

Result<std::vector<Certificate>> certificates_from_pem(std::string_view pem) {
  auto blocks = read_pem_blocks(pem);
  if (!blocks) return blocks.error();
  std::vector<Certificate> certificates;
  for (const PemBlock& block : *blocks) {
    if (block.type != "CERTIFICATE") {
      return pki_error(errc::invalid_pem, "expected certificates but found a '" + printable(block.type, 64) +
                                              "' PEM block; check which file was given");
    }
    auto cert = Certificate::from_der(block.der);
    if (!cert) return cert.error();
    certificates.push_back(std::move(*cert));
  }
  if (certificates.empty()) {
    return pki_error(errc::invalid_pem,
                     "no certificate found (expected '-----BEGIN CERTIFICATE-----')");
  }
  return certificates;
}

std::string certificates_to_pem(const std::vector<Certificate>& certificates) {
  std::string bundle;
  for (const Certificate& cert : certificates) bundle += cert.to_pem();
  return bundle;
}

std::string Certificate::to_der() const {
  unsigned char* der = nullptr;
  int length = i2d_X509(cert_.get(), &der);
  if (length <= 0) {
    drain_openssl_errors();
    return {};
  }
  OpenSslBytesPtr owned(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
}

std::string Certificate::to_pem() const { return write_pem_block("CERTIFICATE", to_der()); }

CertFacts Certificate::facts() const {
  X509* cert = cert_.get();
  CertFacts facts;
  facts.serial_hex = serial_text(X509_get0_serialNumber(cert));
  if (auto from = to_time_point(X509_get0_notBefore(cert))) facts.not_before = *from;
  if (auto until = to_time_point(X509_get0_notAfter(cert))) facts.not_after = *until;
  facts.subject_cn = common_name_of(X509_get_subject_name(cert));
  facts.issuer_cn = common_name_of(X509_get_issuer_name(cert));

  GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  SubjectAltNames names = read_subject_alt_names(sans.get());
  facts.dns_names = std::move(names.dns_names);
  facts.ip_addresses = std::move(names.ip_addresses);

  facts.sha256_fingerprint = sha256_hex(to_der());

  // X509_get_extension_flags also computes the cached extension flags used below.
  uint32_t flags = X509_get_extension_flags(cert);
  facts.is_ca = (flags & EXFLAG_CA) != 0;
  facts.has_extended_key_usage = (flags & EXFLAG_XKUSAGE) != 0;
  if (facts.has_extended_key_usage) {
    uint32_t usages = X509_get_extended_key_usage(cert);
    if (usages & XKU_SSL_SERVER) facts.extended_key_usages.push_back(Usage::server_auth);
    if (usages & XKU_SSL_CLIENT) facts.extended_key_usages.push_back(Usage::client_auth);
  }
  facts.public_key = describe_key(X509_get0_pubkey(cert));
  drain_openssl_errors();
  return facts;
}

}  // namespace phoenix::pki
