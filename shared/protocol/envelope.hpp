#pragma once
// The agent <-> hub message envelope: one JSON object per WebSocket text frame,
//   {"v":1,"type":"...","id":"...","re":"...","body":{...}}
// `re` answers an earlier `id`. Decoding is strict: size and depth are capped before
// parsing, every field has exactly one allowed JSON type, and unknown top-level fields
// are refused. An unknown `type` decodes fine and is surfaced as MessageType::unknown so
// the receiver can answer with an `error` and keep the connection.
#include "shared/core/error.hpp"
#include "shared/protocol/json_limits.hpp"
#include "shared/protocol/message_type.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace phoenix::protocol {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxMessageBytes = 1024 * 1024;
inline constexpr std::size_t kMaxIdLength = 128;

struct Envelope {
  int version = kProtocolVersion;
  std::string type;               // as received; see kind() for the parsed form
  std::string id;                 // non-empty, printable ASCII, at most kMaxIdLength
  std::optional<std::string> re;  // the id this message answers
  nlohmann::json body = nlohmann::json::object();

  MessageType kind() const { return parse_message_type(type); }
};

// Error codes: "too_large", "too_deep", "invalid_json", "invalid_envelope",
// "unsupported_version". Messages name the offending field.
Result<Envelope> decode(std::string_view text, const JsonLimits& limits = {});

std::string encode(const Envelope& envelope);

// Builders for the common shapes.
Envelope make_message(MessageType type, std::string id, nlohmann::json body = nlohmann::json::object());
Envelope make_result(std::string id, std::string re, nlohmann::json body = nlohmann::json::object());
// `re` may be empty when the offending message had no usable id.
Envelope make_error_reply(std::string id, std::string re, std::string_view code,
                          std::string_view message);

}  // namespace phoenix::protocol
