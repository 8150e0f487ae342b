#pragma once
// Answers the hub's swarm commands (swarm_init, swarm_join, swarm_leave, swarm_inspect) on
// the channel thread, doing the Engine API work on a worker thread, one command at a time
// ("swarm_busy" meanwhile). Answers go to the connection the command came on, if it is
// still the live one; a lost answer is harmless (every command is idempotent).
#include "agent/channel/channel_connection.hpp"
#include "shared/protocol/envelope.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace phoenix::agent {

class SwarmHandler {
 public:
  SwarmHandler(boost::asio::io_context& ioc, std::string docker_socket, std::function<std::string()> next_id);
  ~SwarmHandler();  // waits for a command in progress
  SwarmHandler(const SwarmHandler&) = delete;
  SwarmHandler& operator=(const SwarmHandler&) = delete;

  void on_command(const std::shared_ptr<ChannelConnection>& connection, const protocol::Envelope& message);

  // Called after a command changed the swarm (the state report should follow at once).
  std::function<void()> on_changed;

 private:
  boost::asio::io_context& ioc_;
  std::string docker_socket_;
  std::function<std::string()> next_id_;
  bool busy_ = false;
  std::thread worker_;
};

}  // namespace phoenix::agent
