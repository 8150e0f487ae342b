#include "shared/config/config_object.hpp"

#include <algorithm>

namespace phoenix::config {
namespace {

std::string type_name(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "a number";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unsupported value";
  }
}

}  // namespace

nlohmann::json load_json_file(const fs::FileSystem& fs, const std::string& path) {
  auto text = fs.read_file(path);
  if (!text) throw ConfigError(path + ": " + text.error().message);
  try {
    return nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(path + ": invalid JSON at byte " + std::to_string(e.byte) +
                      "; fix the syntax (a trailing comma or a missing quote is the usual cause)");
  } catch (const nlohmann::json::out_of_range& e) {
    // A number a double cannot hold (1e400): nlohmann reports it as out_of_range, not parse_error.
    throw ConfigError(path + ": a number is out of range (" + std::string(e.what()) + "); use a smaller value");
  }
}

ConfigObject::ConfigObject(nlohmann::json value, std::string file, std::string prefix)
    : value_(std::move(value)), file_(std::move(file)), prefix_(std::move(prefix)) {
  if (value_.is_null()) value_ = nlohmann::json::object();
  if (!value_.is_object()) {
    throw ConfigError(file_ + ": " + (prefix_.empty() ? std::string("top level") : prefix_) +
                      ": expected an object, got " + type_name(value_));
  }
}

std::string ConfigObject::key_path(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

void ConfigObject::fail(std::string_view key, std::string_view problem) const {
  throw ConfigError(file_ + ": " + key_path(key) + ": " + std::string(problem));
}

const nlohmann::json* ConfigObject::find(std::string_view key) const {
  const auto it = value_.find(key);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool ConfigObject::has(std::string_view key) const { return find(key) != nullptr; }

std::optional<std::string> ConfigObject::optional_string(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) fail(key, "expected a string, got " + type_name(*v));
  return v->get<std::string>();
}

std::string ConfigObject::string(std::string_view key, std::string_view fallback) const {
  return optional_string(key).value_or(std::string(fallback));
}

std::string ConfigObject::required_string(std::string_view key) const {
  auto v = optional_string(key);
  if (!v) fail(key, "is required");
  return *v;
}

std::int64_t ConfigObject::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) const {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_number_integer()) fail(key, "expected a whole number, got " + type_name(*v));
  std::int64_t n = 0;
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    n = max + (max < INT64_MAX ? 1 : 0);
  } else {
    n = v->get<std::int64_t>();
  }
  if (n < min || n > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                  ", got " + v->dump());
  }
  return n;
}

bool ConfigObject::boolean(std::string_view key, bool fallback) const {
  const auto* v = find(key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(key, "expected true or false, got " + type_name(*v));
  return v->get<bool>();
}

std::vector<std::string> ConfigObject::strings(std::string_view key) const {
  std::vector<std::string> out;
  const auto* v = find(key);
  if (v == nullptr) return out;
  if (!v->is_array()) fail(key, "expected an array of strings, got " + type_name(*v));
  for (std::size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) {
      fail(std::string(key) + "[" + std::to_string(i) + "]",
           "expected a string, got " + type_name((*v)[i]));
    }
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

ConfigObject ConfigObject::object(std::string_view key) const {
  const auto* v = find(key);
  if (v == nullptr) return ConfigObject(nlohmann::json::object(), file_, key_path(key));
  if (!v->is_object()) fail(key, "expected an object, got " + type_name(*v));
  return ConfigObject(*v, file_, key_path(key));
}

std::vector<ConfigObject> ConfigObject::objects(std::string_view key) const {
  std::vector<ConfigObject> out;
  const auto* v = find(key);
  if (v == nullptr) return out;
  if (!v->is_array()) fail(key, "expected an array of objects, got " + type_name(*v));
  for (std::size_t i = 0; i < v->size(); ++i) {
    const std::string element = std::string(key) + "[" + std::to_string(i) + "]";
    if (!(*v)[i].is_object()) fail(element, "expected an object, got " + type_name((*v)[i]));
    out.emplace_back((*v)[i], file_, key_path(element));
  }
  return out;
}

void ConfigObject::reject_unknown_keys(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, unused] : value_.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (auto a : allowed) known += (known.empty() ? "" : ", ") + std::string(a);
      fail(key, "unknown key (known keys here: " + known + ")");
    }
  }
}

}  // namespace phoenix::config
