#include "shared/protocol/message_type.hpp"

#include <array>
#include <utility>

namespace phoenix::protocol {
namespace {

constexpr std::array<std::pair<MessageType, std::string_view>, 14> kNames = {{
    {MessageType::hello, "hello"},
    {MessageType::state, "state"},
    {MessageType::sign_request, "sign_request"},
    {MessageType::renew_identity, "renew_identity"},
    {MessageType::rotate_docker_tls, "rotate_docker_tls"},
    {MessageType::update_trust_bundle, "update_trust_bundle"},
    {MessageType::swarm_init, "swarm_init"},
    {MessageType::swarm_join, "swarm_join"},
    {MessageType::swarm_leave, "swarm_leave"},
    {MessageType::swarm_inspect, "swarm_inspect"},
    {MessageType::swarm_remove_node, "swarm_remove_node"},
    {MessageType::result, "result"},
    {MessageType::error, "error"},
    {MessageType::unknown, "unknown"},
}};

}  // namespace

MessageType parse_message_type(std::string_view text) {
  for (const auto& [type, name] : kNames) {
    if (name == text && type != MessageType::unknown) return type;
  }
  return MessageType::unknown;
}

std::string_view to_string(MessageType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

}  // namespace phoenix::protocol
