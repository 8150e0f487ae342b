#pragma once
// An X.509 certificate, owned, and the facts Phoenix reads from it (status reports,
// rotation scheduling, swap checks). Parsing is strict about what the PEM holds; it
// does not judge validity: that is verify_chain's job (chain_verifier.hpp).
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"
#include "shared/pki/key_type.hpp"
#include "shared/pki/openssl_ptr.hpp"
#include "shared/pki/usage.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace phoenix::pki {

struct CertFacts {
  std::string serial_hex;  // uppercase hex, no separators ("0" for zero)
  TimePoint not_before{};
  TimePoint not_after{};
  std::string subject_cn;  // "" when the subject has no CN
  std::string issuer_cn;
  std::vector<std::string> dns_names;     // subjectAltName dNSName entries, as written
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries as text
  std::string sha256_fingerprint;         // lowercase hex of SHA-256 over the DER, no colons
  bool is_ca = false;                     // basicConstraints CA:TRUE
  bool has_extended_key_usage = false;    // no EKU extension means "any use" to OpenSSL
  std::vector<Usage> extended_key_usages; // serverAuth / clientAuth entries present
  KeyInfo public_key;

  bool has_usage(Usage usage) const;
};

class Certificate {
 public:
  // Exactly one "CERTIFICATE" block. Errors: "invalid_pem" (garbage, no certificate,
  // several certificates: use certificates_from_pem for bundles, other block types).
  static Result<Certificate> from_pem(std::string_view pem);
  static Result<Certificate> from_der(std::string_view der);

  // Takes ownership; `cert` must not be null.
  explicit Certificate(X509Ptr cert);

  Certificate(const Certificate& other);  // shares the immutable X509 (X509_up_ref)
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  std::string to_pem() const;
  std::string to_der() const;
  CertFacts facts() const;

  // Borrowed; valid while this object lives.
  X509* native() const noexcept { return cert_.get(); }

 private:
  X509Ptr cert_;
};

// Every certificate of a PEM bundle (a CA bundle, or leaf followed by intermediates), in
// order. "invalid_pem" when there is none or any block is not a certificate.
Result<std::vector<Certificate>> certificates_from_pem(std::string_view pem);

// The bundle form: each certificate's PEM, concatenated.
std::string certificates_to_pem(const std::vector<Certificate>& certificates);

}  // namespace phoenix::pki
