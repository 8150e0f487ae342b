#include "shared/pki/certificate_builder.hpp"

#include "shared/pki/error_codes.hpp"

#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace phoenix::pki {

Result<X509Ptr> new_certificate_with_random_serial() {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return openssl_failure("allocate a certificate");
  }
  unsigned char bytes[16];
  BignumPtr number;
  do {  // a zero serial is invalid; 2^-128 odds, but cheap to rule out
    if (RAND_bytes(bytes, sizeof bytes) != 1) return openssl_failure("draw a random serial");
    number.reset(BN_bin2bn(bytes, sizeof bytes, nullptr));  // unsigned, so positive
    if (!number) return openssl_failure("convert the serial");
  } while (BN_is_zero(number.get()));
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert.get(), serial.get()) != 1) {
    return openssl_failure("set the serial number");
  }
  return cert;
}

Result<X509NamePtr> name_with_common_name(const std::string& common_name) {
  X509NamePtr name(X509_NAME_new());
  if (!name || X509_NAME_add_entry_by_NID(
                   name.get(), NID_commonName, MBSTRING_UTF8,
                   reinterpret_cast<const unsigned char*>(common_name.c_str()),
                   static_cast<int>(common_name.size()), -1, 0) != 1) {
    std::string detail = drain_openssl_errors();
    return pki_error(errc::invalid_name,
                     "cannot use '" + common_name + "' as a common name (" + detail + ")");
  }
  return name;
}

Result<void> set_validity(X509* cert, TimePoint not_before, TimePoint not_after) {
  Asn1TimePtr from = to_asn1_time(not_before);
  Asn1TimePtr until = to_asn1_time(not_after);
  if (!from || !until || X509_set1_notBefore(cert, from.get()) != 1 ||
      X509_set1_notAfter(cert, until.get()) != 1) {
    return openssl_failure("set the validity period");
  }
  return ok();
}

Result<void> add_extension(X509* cert, const X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, const_cast<X509*>(issuer), cert, nullptr, nullptr, 0);
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension) {
    return openssl_failure(std::string("build the ") + OBJ_nid2sn(nid) + " extension");
  }
  return add_extension(cert, extension.get());
}

Result<void> add_extension(X509* cert, X509_EXTENSION* extension) {
  if (X509_add_ext(cert, extension, -1) != 1) return openssl_failure("add an extension");
  return ok();
}

Result<void> sign_certificate(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
    return openssl_failure("sign the certificate");
  }
  return ok();
}

}  // namespace phoenix::pki
