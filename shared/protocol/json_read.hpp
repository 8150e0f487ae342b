#pragma once
// Type-checked reads of JSON that peers send (agents' states, their command answers): a
// missing key, a non-object on the way, or a value of another type gives the fallback. Never
// an exception: nlohmann's value() throws on a type mismatch, and a peer must not be able to
// crash the hub with {"swarm":{"state":1}}.
#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string>

namespace phoenix::protocol {

// The value at `path` (object keys), or nullptr.
const nlohmann::json* json_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::string json_text(const nlohmann::json& j, std::initializer_list<const char*> path, std::string fallback = {});
bool json_bool(const nlohmann::json& j, std::initializer_list<const char*> path, bool fallback = false);
// The array at `path`, or an empty one.
const nlohmann::json& json_array(const nlohmann::json& j, std::initializer_list<const char*> path);

}  // namespace phoenix::protocol
