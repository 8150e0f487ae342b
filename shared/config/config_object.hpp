#pragma once
// Typed, strict reading of JSON configuration files. Every error names the file and the
// full key ("hub.json: api.listen: expected a string, got a number"), and unknown keys
// are refused so a typo never silently falls back to a default.
#include "shared/fs/file_system.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::config {

// Configuration is read at start-up; a bad file is fatal and the message says what to fix.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and parses `path`; a missing file, unreadable file or JSON syntax error throws
// ConfigError naming the file (and the byte offset of a syntax error).
nlohmann::json load_json_file(const fs::FileSystem& fs, const std::string& path);

class ConfigObject {
 public:
  // `file` is for messages; `prefix` is the dotted key path of this object ("" at top).
  ConfigObject(nlohmann::json value, std::string file, std::string prefix = "");

  bool has(std::string_view key) const;

  std::string string(std::string_view key, std::string_view fallback) const;
  std::string required_string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const;
  bool boolean(std::string_view key, bool fallback) const;
  std::vector<std::string> strings(std::string_view key) const;

  // A missing key gives an empty object, so nested sections are optional.
  ConfigObject object(std::string_view key) const;
  std::vector<ConfigObject> objects(std::string_view key) const;

  // Throws for any key not in `allowed`.
  void reject_unknown_keys(std::initializer_list<std::string_view> allowed) const;

  // Throws ConfigError with this file and key in the message: for checks the caller
  // makes on a value it read (an address that does not parse, say).
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

  const nlohmann::json& json() const { return value_; }

 private:
  std::string key_path(std::string_view key) const;
  const nlohmann::json* find(std::string_view key) const;

  nlohmann::json value_;
  std::string file_;
  std::string prefix_;
};

}  // namespace phoenix::config
