#pragma once
// The one-time enrollment token an operator pastes into `phoenix-agent enroll`:
//   "phx1." + base64url (no padding) of {"hub":"wss://…","ca":"<64 hex>","vm":"vm1","secret":"<64 hex>"}
// It carries everything the agent needs for first contact: where the hub is, the SHA-256
// of the identity CA's DER (to pin the hub before trusting it), the VM name it may claim,
// and the secret whose SHA-256 the hub stores. See docs/agent-protocol.md.
#include "shared/core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace phoenix::protocol {

inline constexpr std::string_view kEnrollTokenPrefix = "phx1.";
// A real token is ~250 characters; anything near this cap is not one.
inline constexpr std::size_t kMaxEnrollTokenBytes = 4096;

struct EnrollToken {
  std::string hub_url;    // "wss://host:8443"
  std::string ca_sha256;  // 64 lowercase hex: SHA-256 of the identity CA certificate's DER
  std::string vm;         // ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$
  std::string secret;     // 64 lowercase hex (32 random bytes)

  friend bool operator==(const EnrollToken&, const EnrollToken&) = default;
};

// Encodes the fields as given (callers build tokens from validated values).
std::string encode_enroll_token(const EnrollToken& token);

// Strict: prefix, size cap, base64url alphabet without padding, a JSON object with
// exactly the string keys hub/ca/vm/secret, and each value well-formed. Every failure is
// code "token_malformed" with a message saying which part is wrong. Surrounding
// whitespace (a pasted newline) is ignored.
Result<EnrollToken> decode_enroll_token(std::string_view text);

// Pieces shared with the code that issues and checks tokens.
bool is_lower_hex_64(std::string_view text);
bool is_valid_enroll_vm_name(std::string_view name);
std::string base64url_encode(std::string_view bytes);
// Error "token_malformed" on a character outside A-Z a-z 0-9 - _ (padding '=' included)
// or a length no encoder produces (4n+1), or non-zero unused trailing bits.
Result<std::string> base64url_decode(std::string_view text);

}  // namespace phoenix::protocol
