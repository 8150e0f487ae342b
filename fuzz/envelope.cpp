// The agent <-> hub envelope: decode any bytes; what decodes must encode and decode again to
// the same envelope (the hub and the agent both re-encode what they received).
#include "shared/protocol/envelope.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix::protocol;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto decoded = decode(text);
  if (!decoded) {
    (void)make_error_reply("hub-1", "", decoded.error().code, decoded.error().message);
    return 0;
  }
  (void)decoded->kind();
  const auto again = decode(encode(*decoded));
  if (!again || again->type != decoded->type || again->id != decoded->id || again->re != decoded->re ||
      again->body != decoded->body) {
    std::abort();  // an envelope that does not survive its own encoding
  }
  return 0;
}
