#pragma once
// Drives one docker-tls rotation at a time on the agent's channel thread: answers the hub's
// `rotate_docker_tls`, asks the hub to sign the fresh server CSR (`sign_request` kind
// docker_server; the hub signs it only while its rotation command is open), makes the client
// cert here with a one-use CA (local_client_ca.hpp), runs the blocking apply on a worker thread, records the
// outcome per rotation id and answers every command for that id that arrived on the live
// connection. A repeated id is answered from the record, without touching dockerd again.
#include "agent/channel/agent_config.hpp"
#include "agent/channel/channel_connection.hpp"
#include "agent/channel/docker_rotation.hpp"
#include "shared/protocol/envelope.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace phoenix::agent {

class RotationHandler {
 public:
  RotationHandler(boost::asio::io_context& ioc, fs::FileSystem& fs, AgentConfig config,
                  std::function<std::string()> next_id);
  ~RotationHandler();  // waits for an apply in progress: dockerd must not be left mid-restart
  RotationHandler(const RotationHandler&) = delete;
  RotationHandler& operator=(const RotationHandler&) = delete;

  void set_vm(std::string vm) { vm_ = std::move(vm); }
  // A new live connection: answers go there; a signing phase the old one was in is dropped
  // (the hub repeats the command, and new keys are made).
  void on_connection(const std::shared_ptr<ChannelConnection>& connection);
  void on_command(ChannelConnection& connection, const protocol::Envelope& message);
  // A result/error from the hub; true when it answered one of this handler's requests.
  bool on_answer(ChannelConnection& connection, const protocol::Envelope& message);

 private:
  struct Active {
    std::string rotation_id;
    std::vector<std::string> answer_to;  // hub command ids on the current connection
    RotationRequests requests;
    std::string server_sign_id;
    bool applying = false;
  };

  void start_apply(apply::CertFiles files);
  void finish(RotationOutcome outcome);
  void answer(ChannelConnection& connection, const std::string& command_id, const std::string& rotation_id,
              const RotationOutcome& outcome);
  void fail_active(const std::string& code, const std::string& message);

  boost::asio::io_context& ioc_;
  AgentConfig config_;
  std::function<std::string()> next_id_;
  RotationOutcomes outcomes_;
  std::string vm_;
  std::weak_ptr<ChannelConnection> connection_;
  std::optional<Active> active_;
  std::thread worker_;
};

}  // namespace phoenix::agent
