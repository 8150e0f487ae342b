#pragma once
// Pure rules for talking to dockerd: Engine API version negotiation and error bodies.
#include <optional>
#include <string>
#include <string_view>

namespace phoenix::agent::engine {

// The highest Engine API version this client knows how to speak. Never a pin: the
// version used is min(dockerd's Api-Version, this), as the docker CLI negotiates.
inline constexpr std::string_view kMaxApiVersion = "1.47";
// What the docker CLI assumes when /_ping carries no Api-Version (very old daemons).
inline constexpr std::string_view kFallbackApiVersion = "1.24";

// "1.41" style: digits '.' digits. Anything else is not a version.
bool is_api_version(std::string_view text);

// Numeric per component ("1.9" < "1.41"); nullopt if either is not a version.
std::optional<int> compare_api_versions(std::string_view a, std::string_view b);

// min(server, ours); an absent or malformed server version gives kFallbackApiVersion.
std::string negotiate_api_version(std::string_view server_version,
                                  std::string_view ours = kMaxApiVersion);

// dockerd's error body is {"message":"…"}; returns that message, else the body itself
// (trimmed, cut to a readable length), else "".
std::string engine_error_message(std::string_view body);

}  // namespace phoenix::agent::engine
