// What `tart list --format json` and `tart get NAME --format json` print, as the hub parses
// it (tart is a program on the hypervisor; a newer or broken one may print anything).
#include "hub/tart/tart_json.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix::hub;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = parse_tart_list(text);
  auto got = parse_tart_get("vm1", text);
  if (list && got) {
    for (const auto& vm : *list) (void)merge_vm_facts(*got, vm);
  }
  return 0;
}
