#pragma once
// Small byte helpers on OpenSSL's primitives: hex, SHA-256 and random tokens. Used for
// certificate fingerprints, docker context directory names and enrollment tokens.
#include <cstddef>
#include <string>
#include <string_view>

namespace phoenix::pki {

// Hex of arbitrary bytes, lowercase unless asked otherwise, no separators.
std::string to_hex(std::string_view bytes, bool uppercase = false);

// Lowercase hex SHA-256 of `bytes` (64 characters).
std::string sha256_hex(std::string_view bytes);

// `bytes` bytes from RAND_bytes as lowercase hex (2 * bytes characters). A failing
// system RNG is not something to carry on from (a guessable token would be worse than
// no token), so that case logs and aborts rather than returning an error.
std::string random_token(std::size_t bytes = 32);

}  // namespace phoenix::pki
