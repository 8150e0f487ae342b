#include "shared/protocol/json_read.hpp"

namespace phoenix::protocol {

const nlohmann::json* json_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

std::string json_text(const nlohmann::json& j, std::initializer_list<const char*> path, std::string fallback) {
  const auto* at = json_at(j, path);
  return at != nullptr && at->is_string() ? at->get<std::string>() : fallback;
}

bool json_bool(const nlohmann::json& j, std::initializer_list<const char*> path, bool fallback) {
  const auto* at = json_at(j, path);
  return at != nullptr && at->is_boolean() ? at->get<bool>() : fallback;
}

const nlohmann::json& json_array(const nlohmann::json& j, std::initializer_list<const char*> path) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto* at = json_at(j, path);
  return at != nullptr && at->is_array() ? *at : kEmpty;
}

}  // namespace phoenix::protocol
