#include "shared/pki/chain_verifier.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/x509_names.hpp"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace phoenix::pki {
namespace {

// "certificate 'agent-1' (serial 0A1B...)" for the certificate a verify error is about.
std::string describe(const X509* cert) {
  if (cert == nullptr) return "a certificate in the chain";
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  OpenSslStringPtr hex(serial ? BN_bn2hex(serial.get()) : nullptr);
  return "certificate '" + printable(common_name_of(X509_get_subject_name(cert)), 64) + "' (serial " +
         (hex ? hex.get() : "?") + ")";
}

Error verify_error(int code, const X509* cert, Usage purpose) {
  std::string who = describe(cert);
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED: {
      auto until = to_time_point(X509_get0_notAfter(cert));
      return pki_error(errc::cert_expired,
                       who + " expired" + (until ? " at " + format_utc(*until) : std::string()) +
                           "; renew it (or check this machine's clock)");
    }
    case X509_V_ERR_CERT_NOT_YET_VALID: {
      auto from = to_time_point(X509_get0_notBefore(cert));
      return pki_error(errc::cert_not_yet_valid,
                       who + " is not valid before" +
                           (from ? " " + format_utc(*from) : std::string()) +
                           "; check the clocks of this machine and the CA (NTP)");
    }
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      return pki_error(errc::unknown_ca,
                       who + " is not signed by a trusted CA (" +
                           X509_verify_cert_error_string(code) +
                           "); it was issued by another CA, or the trust bundle is out of date");
    case X509_V_ERR_INVALID_PURPOSE:
      return pki_error(errc::wrong_purpose,
                       who + " may not be used for " + std::string(to_string(purpose)) +
                           " (its extended key usage does not allow it); issue one for that use");
    default:
      return pki_error(errc::chain_invalid,
                       who + " failed verification: " + X509_verify_cert_error_string(code));
  }
}

}  // namespace

Result<void> verify_chain(const Certificate& leaf, const std::vector<Certificate>& trusted_roots,
                          Usage purpose, std::optional<TimePoint> at, ChainRules rules) {
  if (trusted_roots.empty()) {
    return pki_error(errc::unknown_ca, "no trusted CA certificates were given to verify " +
                                           describe(leaf.native()) + " against");
  }
  X509StorePtr store(X509_STORE_new());
  if (!store) return openssl_failure("allocate a certificate store");
  for (const Certificate& root : trusted_roots) {
    if (X509_STORE_add_cert(store.get(), root.native()) != 1) {
      return openssl_failure("add a trusted CA to the store");
    }
  }
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  if (!context || X509_STORE_CTX_init(context.get(), store.get(), leaf.native(), nullptr) != 1) {
    return openssl_failure("set up certificate verification");
  }
  int ssl_purpose =
      purpose == Usage::server_auth ? X509_PURPOSE_SSL_SERVER : X509_PURPOSE_SSL_CLIENT;
  if (X509_STORE_CTX_set_purpose(context.get(), ssl_purpose) != 1) {
    return openssl_failure("set the verification purpose");
  }
  X509_VERIFY_PARAM* params = X509_STORE_CTX_get0_param(context.get());  // borrowed
  if (rules == ChainRules::strict) X509_VERIFY_PARAM_set_flags(params, X509_V_FLAG_X509_STRICT);
  if (at) X509_VERIFY_PARAM_set_time(params, std::chrono::system_clock::to_time_t(*at));

  int verified = X509_verify_cert(context.get());
  if (verified == 1) return ok();
  int code = X509_STORE_CTX_get_error(context.get());
  const X509* failing = X509_STORE_CTX_get_current_cert(context.get());  // borrowed
  Error error = verified < 0 && code == X509_V_OK
                    ? openssl_failure("verify the certificate chain")
                    : verify_error(code, failing != nullptr ? failing : leaf.native(), purpose);
  drain_openssl_errors();
  return error;
}

Result<void> check_key_matches(const Certificate& certificate, const PrivateKey& key) {
  if (X509_check_private_key(certificate.native(), key.native()) == 1) return ok();
  drain_openssl_errors();
  return pki_error(errc::key_mismatch,
                   "the private key does not belong to " + describe(certificate.native()) +
                       "; install the key whose CSR produced this certificate, or request a new "
                       "certificate for this key");
}

Result<void> check_covers(const Certificate& certificate, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses) {
  std::vector<std::string> missing;
  for (const std::string& dns : dns_names) {
    if (X509_check_host(certificate.native(), dns.c_str(), dns.size(),
                        X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, nullptr) != 1) {
      missing.push_back(dns);
    }
  }
  for (const std::string& ip : ip_addresses) {
    if (X509_check_ip_asc(certificate.native(), ip.c_str(), 0) != 1) missing.push_back(ip);
  }
  drain_openssl_errors();
  if (missing.empty()) return ok();
  std::string list;
  for (const std::string& name : missing) list += (list.empty() ? "" : ", ") + name;
  return pki_error(errc::san_missing, describe(certificate.native()) +
                                          " has no subjectAltName for " + list +
                                          "; issue a certificate whose SANs include them");
}

}  // namespace phoenix::pki
