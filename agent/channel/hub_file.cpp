#include "agent/channel/hub_file.hpp"

#include "shared/core/safe_text.hpp"

#include <nlohmann/json.hpp>

namespace phoenix::agent {

std::string serialize_hub_file(const HubFile& hub) {
  return dump_json(nlohmann::json{{"url", hub.url}, {"vm", hub.vm}, {"ca_sha256", hub.ca_sha256}}, 2) + "\n";
}

Result<HubFile> parse_hub_file(std::string_view text, const std::string& source) {
  const auto bad = [&source](const std::string& what) {
    return make_error("hub_file_invalid", source + ": " + what + "; enroll again with a new token");
  };
  if (text.size() > 64 * 1024) return bad("too large");
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  HubFile out;
  for (const auto& [key, value] : json.items()) {
    if (!value.is_string()) return bad("'" + key + "' must be a string");
    if (key == "url") out.url = value.get<std::string>();
    else if (key == "vm") out.vm = value.get<std::string>();
    else if (key == "ca_sha256") out.ca_sha256 = value.get<std::string>();
    else return bad("unknown key '" + key + "'");
  }
  if (out.url.empty() || out.vm.empty()) return bad("'url' and 'vm' are required");
  return out;
}

}  // namespace phoenix::agent
