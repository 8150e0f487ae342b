#include "agent/channel/swarm_handler.hpp"

#include "agent/channel/swarm_actions.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

namespace phoenix::agent {
namespace net = boost::asio;
using nlohmann::json;
using protocol::MessageType;

namespace {
constexpr const char* kLog = "swarm";

Result<json> run(MessageType type, const json& body, const std::string& socket, const std::string& advertise) {
  // The body first: a field of the wrong type is an answer to the hub, not an exception here.
  auto args = read_swarm_command(type, body);
  if (!args) return args.error();
  auto engine = engine::EngineClient::for_unix_socket(socket, {.timeout = std::chrono::seconds(60)});
  if (!engine) return engine.error();
  switch (type) {
    case MessageType::swarm_init:
      return swarm_init(*engine, advertise);
    case MessageType::swarm_join:
      return swarm_join(*engine, advertise, args->remote_addrs, args->join_token);
    case MessageType::swarm_leave:
      return swarm_leave(*engine);
    case MessageType::swarm_remove_node:
      return swarm_remove_node(*engine, args->node_id);
    default:
      return swarm_inspect(*engine);
  }
}
}  // namespace

SwarmHandler::SwarmHandler(net::io_context& ioc, std::string docker_socket, std::function<std::string()> next_id)
    : ioc_(ioc), docker_socket_(std::move(docker_socket)), next_id_(std::move(next_id)) {}

SwarmHandler::~SwarmHandler() {
  if (worker_.joinable()) worker_.join();
}

void SwarmHandler::on_command(const std::shared_ptr<ChannelConnection>& connection, const protocol::Envelope& message) {
  if (busy_) {
    return connection->send(protocol::encode(
        protocol::make_error_reply(next_id_(), message.id, "swarm_busy", "another swarm command is running here")));
  }
  busy_ = true;
  if (worker_.joinable()) worker_.join();  // the previous command's thread has finished
  const std::string advertise = connection->local_address();
  std::weak_ptr<ChannelConnection> weak = connection;
  worker_ = std::thread([this, type = message.kind(), body = message.body, id = message.id, advertise, weak,
                         guard = net::make_work_guard(ioc_)]() mutable {
    auto answer = run(type, body, docker_socket_, advertise);
    net::post(ioc_, [this, type, id, weak, answer = std::move(answer)] {
      busy_ = false;
      if (answer) {
        log::info(kLog, std::string(protocol::to_string(type)) + " done" +
                            (answer->value("changed", false) ? " (changed)" : ""));
      } else {
        log::warning(kLog, std::string(protocol::to_string(type)) + " failed: " + answer.error().to_string());
      }
      if (auto live = weak.lock(); live && !live->closing()) {
        live->send(protocol::encode(
            answer ? protocol::make_result(next_id_(), id, *answer)
                   : protocol::make_error_reply(next_id_(), id, answer.error().code, answer.error().message)));
      }
      if (on_changed) on_changed();
    });
  });
}

}  // namespace phoenix::agent
