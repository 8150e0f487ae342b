#pragma once
// A PKCS#10 certificate signing request, owned. The agent makes one from its freshly
// generated key; the hub parses it, checks it against a SigningPolicy and signs. Every
// request this type hands out has a verified self-signature (proof of key possession).
#include "shared/core/error.hpp"
#include "shared/pki/key_type.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/pki/private_key.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::pki {

struct CsrFacts {
  std::string common_name;                // first subject CN ("" when none)
  std::size_t common_name_count = 0;      // policy refuses anything but exactly one
  std::vector<std::string> dns_names;     // requested subjectAltName dNSName entries
  std::vector<std::string> ip_addresses;  // requested iPAddress entries as text
  std::vector<std::string> other_names;   // any other requested SAN (URI, email, ...)
  bool malformed_extensions = false;      // unreadable or duplicated requested SANs
  KeyInfo key;
};

class CertificateRequest {
 public:
  // Signs a request for `common_name` with the given SANs using `key` (SHA-256). Names are
  // validated and canonicalised (DNS lowercased, IPs as inet_ntop prints them).
  // Errors: "invalid_name", "invalid_ip".
  static Result<CertificateRequest> create(const PrivateKey& key, std::string common_name,
                                           std::vector<std::string> dns_names,
                                           std::vector<std::string> ip_addresses);

  // Exactly one "CERTIFICATE REQUEST" (or legacy "NEW CERTIFICATE REQUEST") block whose
  // signature verifies. Errors: "invalid_pem", "bad_csr_signature".
  static Result<CertificateRequest> from_pem(std::string_view pem);

  CertificateRequest(CertificateRequest&&) noexcept = default;
  CertificateRequest& operator=(CertificateRequest&&) noexcept = default;

  std::string to_pem() const;
  CsrFacts facts() const;

  // X509_REQ_verify with the request's own public key: "bad_csr_signature" on failure.
  Result<void> verify_signature() const;

  // The requested public key, owned by the caller (X509_REQ_get_pubkey is a get1).
  EvpPkeyPtr public_key() const;

  // Borrowed; valid while this object lives.
  X509_REQ* native() const noexcept { return request_.get(); }

 private:
  explicit CertificateRequest(X509ReqPtr request);
  X509ReqPtr request_;
};

}  // namespace phoenix::pki
