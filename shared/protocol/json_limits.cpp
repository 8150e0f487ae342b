#include "shared/protocol/json_limits.hpp"

#include <string>

namespace phoenix::protocol {

Result<void> check_json_limits(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return make_error("too_large", "message of " + std::to_string(text.size()) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(limits.max_bytes) + " bytes");
  }
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (++depth > limits.max_depth) {
          return make_error("too_deep", "JSON nested deeper than " +
                                            std::to_string(limits.max_depth) + " levels");
        }
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;  // unbalanced input is left to the parser to report
        break;
      default: break;
    }
  }
  return ok();
}

}  // namespace phoenix::protocol
