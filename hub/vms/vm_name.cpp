#include "hub/vms/vm_name.hpp"

#include <string>

namespace phoenix::hub {
namespace {

bool is_ascii_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A hostile name may be huge or hold control bytes: quote at most 32 printable characters.
std::string printable_prefix(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 32)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (name.size() > 32) out += "...";
  return out;
}

}  // namespace

// Hand-written rather than std::regex: the rule is tiny, and this cannot throw or backtrack.
bool is_valid_vm_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxVmNameLength) return false;
  if (!is_ascii_alnum(name.front())) return false;
  for (char c : name) {
    if (!is_ascii_alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

Result<void> validate_vm_name(std::string_view name) {
  if (is_valid_vm_name(name)) return ok();
  return make_error("invalid_name",
                    "invalid VM name \"" + printable_prefix(name) +
                        "\": use 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a "
                        "letter or digit");
}

}  // namespace phoenix::hub
