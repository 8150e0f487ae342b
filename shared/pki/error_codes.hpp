#pragma once
// The stable Error::code values the PKI module returns. Callers (agent swap checks, hub
// enrollment, dashboards) branch on these, so they are named constants rather than
// literals scattered through the code; the strings themselves never change.
#include "shared/core/error.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace phoenix::pki::errc {

inline constexpr std::string_view cert_expired = "cert_expired";
inline constexpr std::string_view cert_not_yet_valid = "cert_not_yet_valid";
inline constexpr std::string_view unknown_ca = "unknown_ca";          // not signed by a trusted CA
inline constexpr std::string_view wrong_purpose = "wrong_purpose";    // EKU does not allow the use
inline constexpr std::string_view chain_invalid = "chain_invalid";    // any other verify failure
inline constexpr std::string_view key_mismatch = "key_mismatch";
inline constexpr std::string_view name_not_allowed = "name_not_allowed";
inline constexpr std::string_view invalid_pem = "invalid_pem";
inline constexpr std::string_view bad_csr_signature = "bad_csr_signature";
inline constexpr std::string_view weak_key = "weak_key";
inline constexpr std::string_view wrong_key_type = "wrong_key_type";
inline constexpr std::string_view san_missing = "san_missing";
inline constexpr std::string_view invalid_name = "invalid_name";      // malformed CN or DNS name
inline constexpr std::string_view invalid_ip = "invalid_ip";
inline constexpr std::string_view invalid_policy = "invalid_policy";
inline constexpr std::string_view not_a_ca = "not_a_ca";
inline constexpr std::string_view ca_expired = "ca_expired";
inline constexpr std::string_view unsupported_ca = "unsupported_ca";  // CA lacks what we need
inline constexpr std::string_view openssl_failure = "openssl_failure";  // internal, not input

}  // namespace phoenix::pki::errc

namespace phoenix::pki {

// make_error with one of the codes above.
inline Error pki_error(std::string_view code, std::string message) {
  return make_error(std::string(code), std::move(message));
}

}  // namespace phoenix::pki
