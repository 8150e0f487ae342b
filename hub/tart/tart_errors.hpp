#pragma once
// tart's exit codes and stderr texts, mapped to the VmService error codes:
//   exit 2 + `the specified VM "X" does not exist`  -> vm_not_found
//   exit 2 + `VM "X" is already running!`           -> already_running
//   exit 2 + `VM "X" is not running`                -> not_running
//   deadline passed                                 -> driver_timeout
//   anything else non-zero                          -> driver_failed (tart's text, trimmed)
#include "shared/core/error.hpp"
#include "shared/process/process_runner.hpp"

#include <string>
#include <string_view>

namespace phoenix::hub {

// Maps a failed or timed-out call; `what` names the call for messages ("tart stop vm1").
// Returns an Error with code "driver_failed" if called on a success (a programming slip).
Error map_tart_failure(const process::RunResult& result, std::string_view what);

// The same mapping from the exit code and text of a detached `tart run` that ended early.
Error map_tart_exit(int exit_code, std::string_view text, std::string_view what);

// Whitespace trimmed from both ends.
std::string trim(std::string_view text);

}  // namespace phoenix::hub
