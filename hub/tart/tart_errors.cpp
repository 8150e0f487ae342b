#include "hub/tart/tart_errors.hpp"

#include "shared/core/safe_text.hpp"

namespace phoenix::hub {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

Error map_tart_exit(int exit_code, std::string_view text, std::string_view what) {
  // tart's stderr reaches API callers and logs: any bytes escaped, at most 1 KiB shown.
  std::string message = printable(trim(text), 1024);
  // tart uses exit 2 for the "wrong state / no such VM" family; the text tells them apart.
  if (exit_code == 2) {
    if (contains(message, "does not exist")) return make_error("vm_not_found", message);
    if (contains(message, "is already running")) return make_error("already_running", message);
    if (contains(message, "is not running")) return make_error("not_running", message);
  }
  if (message.empty()) {
    message = std::string(what) + " failed with exit code " + std::to_string(exit_code) +
              " and no message";
  }
  return make_error("driver_failed", message);
}

Error map_tart_failure(const process::RunResult& result, std::string_view what) {
  if (result.timed_out) {
    return make_error("driver_timeout",
                      std::string(what) + " did not finish in time and was stopped; is tart hung?");
  }
  if (result.exit_code == 0) {
    return make_error("driver_failed", std::string(what) + " succeeded but was treated as failed");
  }
  // tart writes its errors to stderr; fall back to stdout for odd builds or wrappers.
  const std::string_view text = trim(result.err).empty() ? result.out : result.err;
  return map_tart_exit(result.exit_code, text, what);
}

}  // namespace phoenix::hub
