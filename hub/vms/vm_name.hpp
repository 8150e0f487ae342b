#pragma once
// VM names reach tart's argv and the hub's log file paths, so they are checked before any
// process is started or any path is built: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (ASCII only).
// The first character cannot be '.', so ".", ".." and "../x" are refused by the pattern
// itself; names made of a letter plus dots ("a..") are harmless as one path component.
#include "shared/core/error.hpp"

#include <string_view>

namespace phoenix::hub {

inline constexpr std::size_t kMaxVmNameLength = 64;

bool is_valid_vm_name(std::string_view name);

// Error "invalid_name" with a message that quotes the rule (and not a hostile name verbatim
// beyond a short, printable prefix).
Result<void> validate_vm_name(std::string_view name);

}  // namespace phoenix::hub
