#pragma once
// Docker Swarm join tokens as the hub reads them, pure. A token is
// `SWMTKN-1-<digest>-<secret>`: the digest is the SHA-256 of the swarm's root CA certificate in
// base 36 (50 characters), the secret 128 random bits in base 36 (25 characters). The digest is
// what tells two swarms apart: a joining node checks the CA it is shown against it, so a token
// with the digest of the swarm the hub made cannot lead a VM into any other swarm.
#include <optional>
#include <string>
#include <string_view>

namespace phoenix::hub {

struct SwarmToken {
  std::string ca_digest;  // 50 characters of [0-9a-z]
  std::string secret;     // 25 characters of [0-9a-z]
};

// The token's parts, or nothing when `text` is not exactly a version-1 swarm join token (any
// other prefix, length or character). Never throws; reads at most the first 100 bytes' worth.
std::optional<SwarmToken> parse_swarm_token(std::string_view text);

}  // namespace phoenix::hub
