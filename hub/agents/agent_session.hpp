#pragma once
// One agent's live channel: a WebSocket over the mutual-TLS stream, on its own strand.
// Reads text frames of at most message_max (bigger: Beast closes with 1009), decodes each
// envelope, stores hello/state, signs identity renewals, matches answers to the commands
// the hub sent, and writes through a queue with one async_write in flight. Idle peers are
// pinged and dropped by Beast's timeout option.
#include "hub/agents/agent_registry.hpp"
#include "hub/agents/endpoint_state.hpp"
#include "shared/protocol/envelope.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <cstdint>
#include <deque>
#include "hub/agents/docker_sign_gate.hpp"

#include <map>
#include <memory>
#include <string>

namespace phoenix::hub {

class AgentSession : public AgentLink,
                     public Stoppable,
                     public std::enable_shared_from_this<AgentSession> {
 public:
  struct Identity {
    std::string name;    // the client cert's CN, an enrolled agent
    std::string serial;  // the client cert's serial
    // The client cert's notAfter: the channel is closed then (a cert that is no longer
    // valid must not keep a channel that only a valid one could open).
    std::chrono::system_clock::time_point not_after = std::chrono::system_clock::time_point::max();
  };

  AgentSession(boost::beast::ssl_stream<boost::beast::tcp_stream>&& stream,
               std::shared_ptr<EndpointState> state, ConnectionSlot slot, Identity identity,
               std::string peer);
  ~AgentSession() override;

  // Completes the WebSocket handshake for the (already checked) upgrade request.
  void run(boost::beast::http::request<boost::beast::http::string_body> request);

  void close(std::uint16_t code, std::string reason) override;
  void send_command(protocol::MessageType type, nlohmann::json body, CommandCallback done,
                    std::chrono::milliseconds timeout) override;
  void stop_now() override;

 private:
  struct Pending {
    CommandCallback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool docker_rotation = false;  // a rotate_docker_tls: opens the sign gate while pending
  };

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle_text(std::string_view text);
  void handle_state(const protocol::Envelope& message);
  void handle_sign_request(const protocol::Envelope& message);
  void handle_docker_sign_request(const protocol::Envelope& message);
  std::string peer_ip();  // the remote IP of the channel (v4-mapped as v4); empty if unknown
  // Signs and records a renewed identity (blocking: runs on the blocking pool).
  Result<nlohmann::json> renew_identity(const std::string& csr);
  void handle_answer(const protocol::Envelope& message);
  void send(const protocol::Envelope& message);
  void send_error(const std::string& re, std::string_view code, std::string_view text);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void do_close(std::uint16_t code, std::string reason);
  void on_close(boost::beast::error_code ec);
  void finish(const std::string& why);
  // Arms expiry_timer_ for identity_.not_after: one timer per session, no fleet scan.
  void watch_expiry();
  // False when the agent went over `limit` ("messages", "sign_requests"): it is then being
  // closed with 1008 and refused for the penalty; the caller drops the message.
  bool within_rate(const char* limit);
  std::string next_id();

  boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>> ws_;
  std::shared_ptr<EndpointState> state_;
  ConnectionSlot slot_;
  Identity identity_;
  std::string peer_;
  std::uint64_t tracker_id_ = 0;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closing_ = false;
  bool attached_ = false;
  bool finished_ = false;
  std::uint16_t close_code_ = 1001;
  std::string close_reason_ = "hub shutting down";
  std::string disconnect_reason_;  // "1008 rate limit: ..." when the hub closed the channel
  std::uint64_t next_id_ = 0;
  std::map<std::string, Pending> pending_;
  DockerSignGate docker_signs_;
  boost::asio::steady_timer expiry_timer_;
};

}  // namespace phoenix::hub
