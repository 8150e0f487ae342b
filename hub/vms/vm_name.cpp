#include "hub/vms/vm_name.hpp"

#include "shared/protocol/enroll_token.hpp"

#include <string>

namespace phoenix::hub {
namespace {

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

// One rule for the whole product: the enrollment token carries VM names too.
bool is_valid_vm_name(std::string_view name) { return protocol::is_valid_enroll_vm_name(name); }

Result<void> validate_vm_name(std::string_view name) {
  if (is_valid_vm_name(name)) return ok();
  return make_error("invalid_name",
                    "invalid VM name \"" + printable_prefix(name) +
                        "\": use 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a "
                        "letter or digit");
}

}  // namespace phoenix::hub
