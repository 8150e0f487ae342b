#include "hub/swarm/swarm_token.hpp"

#include <algorithm>

namespace phoenix::hub {
namespace {
constexpr std::string_view kPrefix = "SWMTKN-1-";
constexpr std::size_t kDigestLength = 50;  // swarmkit pads the base-36 SHA-256 to 50
constexpr std::size_t kSecretLength = 25;  // and the base-36 128-bit secret to 25

bool base36(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}
}  // namespace

std::optional<SwarmToken> parse_swarm_token(std::string_view text) {
  // Exact length first: nothing longer is ever scanned.
  if (text.size() != kPrefix.size() + kDigestLength + 1 + kSecretLength) return std::nullopt;
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const auto digest = text.substr(kPrefix.size(), kDigestLength);
  if (text[kPrefix.size() + kDigestLength] != '-') return std::nullopt;
  const auto secret = text.substr(kPrefix.size() + kDigestLength + 1);
  if (!base36(digest) || !base36(secret)) return std::nullopt;
  return SwarmToken{std::string(digest), std::string(secret)};
}

}  // namespace phoenix::hub
