#pragma once
// API roles: a read token may call GET routes, a write token everything (write implies read).
#include <optional>
#include <string_view>

namespace phoenix::hub::http {

enum class Role { read, write };

inline bool role_allows(Role have, Role need) { return have == Role::write || need == Role::read; }

inline std::optional<Role> parse_role(std::string_view text) {
  if (text == "read") return Role::read;
  if (text == "write") return Role::write;
  return std::nullopt;
}

inline const char* role_name(Role role) { return role == Role::write ? "write" : "read"; }

}  // namespace phoenix::hub::http
