// What the hub sends an agent, as the agent reads it: the envelope, then each command's body
// (swarm_init / swarm_join / swarm_leave / swarm_inspect / swarm_remove_node through the real
// SwarmHandler, whose dockerd socket here does not exist; rotate_docker_tls's rotation id;
// renew_identity) and the hub's answers to the agent's sign_requests (result: cert and CA
// PEM, parsed and chain-checked as the renewal and the docker rotation do; error: code and
// message).
#include "agent/channel/docker_rotation.hpp"
#include "agent/channel/swarm_actions.hpp"
#include "agent/channel/swarm_handler.hpp"
#include "shared/core/log.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/protocol/envelope.hpp"
#include "shared/protocol/json_read.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace {

using namespace phoenix;
using protocol::MessageType;

void run_swarm_command(const protocol::Envelope& message) {
  boost::asio::io_context ioc;
  static auto tls = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
  auto connection = std::make_shared<agent::ChannelConnection>(ioc.get_executor(), tls);
  int ids = 0;
  agent::SwarmHandler handler(ioc, "/nonexistent/phoenix-fuzz/docker.sock", [&] { return "a-" + std::to_string(++ids); });
  handler.on_command(connection, message);
  ioc.run();
}

void read_signed_answer(const nlohmann::json& body) {
  auto cert = pki::Certificate::from_pem(protocol::json_text(body, {"cert"}));
  auto ca = pki::Certificate::from_pem(protocol::json_text(body, {"ca"}));
  if (cert) (void)cert->facts();
  if (ca) (void)ca->facts();
  if (cert && ca) (void)pki::verify_chain(*cert, {*ca}, pki::Usage::client_auth);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_min_level(log::Level::critical);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = protocol::decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!decoded) return 0;
  const auto& message = *decoded;
  switch (message.kind()) {
    case MessageType::swarm_init:
    case MessageType::swarm_join:
    case MessageType::swarm_leave:
    case MessageType::swarm_inspect:
    case MessageType::swarm_remove_node:
      (void)agent::read_swarm_command(message.kind(), message.body);
      run_swarm_command(message);
      break;
    case MessageType::rotate_docker_tls:
      (void)agent::valid_rotation_id(protocol::json_text(message.body, {"rotation_id"}));
      break;
    case MessageType::result:
      read_signed_answer(message.body);
      break;
    case MessageType::error:
      (void)(protocol::json_text(message.body, {"code"}) + protocol::json_text(message.body, {"message"}) +
             message.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      break;
    default:
      break;
  }
  return 0;
}
