#pragma once
// hub.json in the agent's state dir: where the hub is and which identity CA it was pinned
// to at enrollment (docs/agent-protocol.md "Files"):
//   {"url":"wss://host:8443","vm":"vm1","ca_sha256":"<64 hex>"}
#include "shared/core/error.hpp"

#include <string>
#include <string_view>

namespace phoenix::agent {

struct HubFile {
  std::string url;
  std::string vm;
  std::string ca_sha256;
  friend bool operator==(const HubFile&, const HubFile&) = default;
};

std::string serialize_hub_file(const HubFile& hub);

// Strict: a JSON object with exactly the three string keys. Error "hub_file_invalid"
// naming what is wrong (`source` is the path, for the message).
Result<HubFile> parse_hub_file(std::string_view text, const std::string& source);

}  // namespace phoenix::agent
