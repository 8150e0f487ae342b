#pragma once
// Guards applied to untrusted JSON text *before* it is parsed, so that hostile input costs
// O(size) time and no recursion: the size cap and the nesting cap.
#include "shared/core/error.hpp"

#include <cstddef>
#include <string_view>

namespace phoenix::protocol {

struct JsonLimits {
  std::size_t max_bytes = 1024 * 1024;  // SPEC: 1 MiB per channel message
  std::size_t max_depth = 32;           // objects/arrays nested deeper are refused
};

// Codes: "too_large", "too_deep". Strings (with escapes) are skipped when counting depth.
Result<void> check_json_limits(std::string_view text, const JsonLimits& limits);

}  // namespace phoenix::protocol
