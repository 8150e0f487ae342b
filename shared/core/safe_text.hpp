#pragma once
// Text from outside (certificate fields, tart output, a peer's JSON, file contents) may hold
// any bytes. These helpers decide whether such text may be used as a name, and turn it into
// something that can be shown, logged and serialised without surprises: nlohmann::json's
// dump() throws on invalid UTF-8, and a control character in a log line forges another line.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace phoenix {

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view text);

// `text` for people: printable ASCII and valid multi-byte UTF-8 kept, every other byte
// (controls, DEL, bytes of invalid UTF-8) written as \xNN and a backslash as \\, at most
// `max_bytes` of input shown, a longer input cut with "..." after it. Always valid UTF-8,
// never a newline.
std::string printable(std::string_view text, std::size_t max_bytes = 128);

// `text` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD, so that a
// strict parser can read the rest (one bad name in a listing must not hide the others).
std::string to_valid_utf8(std::string_view text);

// dump() that never throws: invalid UTF-8 in a string becomes U+FFFD. For JSON that holds
// bytes from outside, which is all JSON a server sends.
std::string dump_json(const nlohmann::json& value, int indent = -1, char indent_char = ' ');
// The same for documents whose key order matters (daemon.json, the docker CLI's files).
std::string dump_json(const nlohmann::ordered_json& value, int indent = -1, char indent_char = ' ');

}  // namespace phoenix
