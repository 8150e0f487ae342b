#pragma once
// Splitting a configured command ("systemctl restart docker") into an argv vector without a
// shell: words split on whitespace, '...' and "..." group words (no escapes inside single
// quotes; \" and \\ inside double quotes), a backslash outside quotes escapes the next char.
// Nothing else is special: no variables, globs, pipes or redirections.
#include "shared/core/error.hpp"

#include <string>
#include <vector>

namespace phoenix::process {

// Errors: "invalid_command" for an unterminated quote, a trailing backslash, or no words.
Result<std::vector<std::string>> split_command_line(const std::string& command);

}  // namespace phoenix::process
