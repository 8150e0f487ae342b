#pragma once
// Bearer-token authentication for the HTTP API. Tokens come from the hub config with a role.
// Only SHA-256 digests are kept, and every comparison is CRYPTO_memcmp over two digests of
// equal length against *every* configured token, so neither the token's length, nor how
// many leading bytes matched, nor which entry matched shows in the timing.
#include "hub/http/role.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::hub::http {

struct TokenEntry {
  std::string token;
  Role role = Role::read;
};

// Constant-time equality of two secrets of any length (compares their SHA-256 digests).
bool constant_time_equal(std::string_view a, std::string_view b);

// The token in "Authorization: Bearer <token>" (scheme case-insensitive), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

class TokenAuth {
 public:
  TokenAuth() = default;
  explicit TokenAuth(const std::vector<TokenEntry>& tokens);

  // False when no tokens are configured: every request is then allowed (loopback only).
  bool enabled() const { return !entries_.empty(); }

  // The role granted by this Authorization header value, or nullopt (missing/invalid).
  std::optional<Role> authenticate(std::string_view authorization) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Entry {
    Digest digest;
    Role role;
  };
  static Digest digest_of(std::string_view secret);

  std::vector<Entry> entries_;
};

}  // namespace phoenix::hub::http
