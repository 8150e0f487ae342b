#include "hub/admin/enroll_secret.hpp"

#include "shared/pki/digest.hpp"

#include <cstdint>

namespace phoenix::hub {

std::string hash_enroll_secret(std::string_view secret_hex) { return pki::sha256_hex(secret_hex); }

std::string new_enroll_secret() { return pki::random_token(32); }

Result<std::chrono::seconds> parse_enroll_ttl(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return make_error("invalid_ttl", "invalid --ttl \"" + std::string(text.substr(0, 32)) + "\": " +
                                         why + " (use a number and a unit: 90s, 30m, 1h, 2d; at most 7d)");
  };
  if (text.size() < 2 || text.size() > 12) return bad("wrong length");
  std::int64_t number = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return bad("not a whole number");
    number = number * 10 + (c - '0');  // at most 11 digits: no overflow
  }
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return bad("unknown unit");
  }
  if (number == 0) return bad("must be more than zero");
  if (number > kMaxEnrollTtl.count() / unit) return bad("longer than 7 days");
  return std::chrono::seconds(number * unit);
}

}  // namespace phoenix::hub
