// The enrollment token an operator pastes into `phoenix-agent enroll`: any bytes decode or
// fail cleanly; a token that decodes encodes back to one that decodes to the same fields.
#include "shared/protocol/enroll_token.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix::protocol;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)base64url_decode(text);
  auto token = decode_enroll_token(text);
  if (!token) return 0;
  auto again = decode_enroll_token(encode_enroll_token(*token));
  if (!again || !(*again == *token)) std::abort();
  return 0;
}
