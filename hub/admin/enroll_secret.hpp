#pragma once
// How the hub turns a token's secret into what it stores and looks up: the lowercase hex
// SHA-256 of the secret's 64 ASCII hex characters exactly as they appear in the token
// (and in the enroll request's "token_secret"). `token create` and the enrollment
// handler both call this, so they cannot disagree.
#include "shared/core/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace phoenix::hub {

std::string hash_enroll_secret(std::string_view secret_hex);

// A fresh secret: 32 bytes from RAND_bytes as 64 lowercase hex characters.
std::string new_enroll_secret();

inline constexpr std::chrono::seconds kDefaultEnrollTtl{3600};
inline constexpr std::chrono::seconds kMaxEnrollTtl{7 * 24 * 3600};

// "90s", "30m", "1h", "2d" (a positive integer and one unit). Errors "invalid_ttl": bad
// syntax, zero, or above kMaxEnrollTtl (7 days), with a message showing the syntax.
Result<std::chrono::seconds> parse_enroll_ttl(std::string_view text);

}  // namespace phoenix::hub
