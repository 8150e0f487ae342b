#pragma once
// The hub.json of the loopback end-to-end tests: API and agent endpoint on 127.0.0.1 at the
// given ports (the agent endpoint's public URL too, so tokens point there), fake-tart as tart.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace phoenix::test {

inline nlohmann::json loopback_hub_config(std::uint16_t api_port, std::uint16_t agent_port) {
  return {{"api", {{"listen", "127.0.0.1:" + std::to_string(api_port)}}},
          {"agent_endpoint",
           {{"listen", "127.0.0.1:" + std::to_string(agent_port)},
            {"public_url", "wss://127.0.0.1:" + std::to_string(agent_port)}}},
          {"driver", "tart"},
          {"tart", {{"path", FAKE_TART_BINARY}}}};
}

}  // namespace phoenix::test
