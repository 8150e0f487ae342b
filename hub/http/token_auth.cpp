#include "hub/http/token_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>

namespace phoenix::hub::http {

namespace {

using Sha256 = std::array<unsigned char, 32>;

Sha256 sha256(std::string_view secret) {
  Sha256 out{};
  unsigned int length = 0;
  // SHA-256 of in-memory input fails only on allocation failure; the zero digest then
  // stands in, and the callers still compare in constant time.
  if (EVP_Digest(secret.data(), secret.size(), out.data(), &length, EVP_sha256(), nullptr) != 1) {
    out.fill(0);
  }
  return out;
}

}  // namespace

TokenAuth::Digest TokenAuth::digest_of(std::string_view secret) { return sha256(secret); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Hashing first makes both sides 32 bytes, so the comparison time says nothing about
  // either length or about a common prefix.
  const auto da = sha256(a);
  const auto db = sha256(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size() + 1) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return std::nullopt;
  }
  if (authorization[scheme.size()] != ' ') return std::nullopt;
  auto token = authorization.substr(scheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

TokenAuth::TokenAuth(const std::vector<TokenEntry>& tokens) {
  for (const auto& t : tokens) entries_.push_back({digest_of(t.token), t.role});
}

std::optional<Role> TokenAuth::authenticate(std::string_view authorization) const {
  const auto token = bearer_token(authorization);
  if (!token) return std::nullopt;
  const auto presented = digest_of(*token);
  // No early exit: every entry is compared whatever matched before.
  bool matched = false;
  bool write = false;
  for (const auto& entry : entries_) {
    const bool equal = CRYPTO_memcmp(presented.data(), entry.digest.data(), presented.size()) == 0;
    matched |= equal;
    write |= equal && entry.role == Role::write;
  }
  if (!matched) return std::nullopt;
  return write ? Role::write : Role::read;
}

}  // namespace phoenix::hub::http
