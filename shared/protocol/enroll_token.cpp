#include "shared/protocol/enroll_token.hpp"

#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>

namespace phoenix::protocol {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// 0..63 for an alphabet character, -1 otherwise.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Error malformed(std::string what) {
  return make_error("token_malformed",
                    "enrollment token " + what +
                        ": copy the whole token printed by `phoenix-hub token create --vm NAME` "
                        "(it starts with \"phx1.\"), or create a new one");
}

bool is_ascii_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

bool is_lower_hex_64(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Same rule as hub/vms/vm_name.hpp; repeated here because the shared protocol library
// must not depend on the hub.
// Hand-written rather than std::regex: the rule is tiny, and this cannot throw or backtrack.
bool is_valid_enroll_vm_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || !is_ascii_alnum(name.front())) return false;
  for (char c : name) {
    if (!is_ascii_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                            (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) |
                            std::uint32_t(std::uint8_t(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    const std::uint32_t n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                            (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = sextet(c);
    if (value < 0) {
      return malformed(c == '=' ? "has base64 padding '=' (tokens use none)"
                                : "contains a character outside the base64url alphabet");
    }
    buffer = (buffer << 6) | std::uint32_t(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xff);
    }
  }
  if (text.size() % 4 == 1) return malformed("is truncated (impossible base64url length)");
  // Leftover bits must be zero, so each token has exactly one spelling.
  if (bits > 0 && (buffer & ((1u << bits) - 1)) != 0) {
    return malformed("is truncated or altered (non-canonical base64url ending)");
  }
  return out;
}

std::string encode_enroll_token(const EnrollToken& token) {
  // nlohmann::json objects sort keys; the order does not matter to the decoder.
  const nlohmann::json body = {
      {"hub", token.hub_url}, {"ca", token.ca_sha256}, {"vm", token.vm}, {"secret", token.secret}};
  return std::string(kEnrollTokenPrefix) + base64url_encode(dump_json(body));
}

Result<EnrollToken> decode_enroll_token(std::string_view text) {
  text = trim(text);
  if (text.size() > kMaxEnrollTokenBytes) {
    return malformed("is too long (" + std::to_string(text.size()) + " bytes, at most " +
                     std::to_string(kMaxEnrollTokenBytes) + ")");
  }
  if (text.substr(0, kEnrollTokenPrefix.size()) != kEnrollTokenPrefix) {
    return malformed("does not start with \"phx1.\"");
  }
  text.remove_prefix(kEnrollTokenPrefix.size());
  if (text.empty()) return malformed("is empty after \"phx1.\"");
  auto bytes = base64url_decode(text);
  if (!bytes) return bytes.error();

  const auto json = nlohmann::json::parse(*bytes, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return malformed("does not hold a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key != "hub" && key != "ca" && key != "vm" && key != "secret") {
      return malformed("has an unexpected field (only hub, ca, vm, secret are allowed)");
    }
    if (!value.is_string()) return malformed("field \"" + key + "\" is not a string");
  }
  for (const char* key : {"hub", "ca", "vm", "secret"}) {
    if (!json.contains(key)) return malformed(std::string("lacks the field \"") + key + "\"");
  }

  EnrollToken token{json["hub"].get<std::string>(), json["ca"].get<std::string>(),
                    json["vm"].get<std::string>(), json["secret"].get<std::string>()};
  if (token.hub_url.rfind("wss://", 0) != 0 || token.hub_url.size() <= 6) {
    return malformed("has a hub URL that is not wss://HOST:PORT");
  }
  if (!is_lower_hex_64(token.ca_sha256)) {
    return malformed("has a CA fingerprint that is not 64 lowercase hex digits");
  }
  if (!is_valid_enroll_vm_name(token.vm)) {
    return malformed("has an invalid VM name (1 to 64 of A-Z a-z 0-9 . _ -, starting with a "
                     "letter or digit)");
  }
  if (!is_lower_hex_64(token.secret)) {
    return malformed("has a secret that is not 64 lowercase hex digits");
  }
  return token;
}

}  // namespace phoenix::protocol
