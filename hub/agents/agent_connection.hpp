#pragma once
// One accepted TCP connection of the agent endpoint before it becomes a channel: the TLS
// handshake (client cert verified if presented), one HTTP request under a deadline and
// size limits, then either the enrollment answer or the checked WebSocket upgrade handed
// to an AgentSession. Everything runs on the connection's strand.
#include "hub/agents/endpoint_state.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>
#include <optional>
#include <string>

namespace phoenix::hub {

class AgentConnection : public std::enable_shared_from_this<AgentConnection>, public Stoppable {
 public:
  // `handshake` holds a slot of the handshake caps until the TLS handshake ends.
  AgentConnection(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<EndpointState> state,
                  limits::HandshakeGate::Ticket handshake);
  ~AgentConnection() override;

  void run();
  void stop_now() override;

 private:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;

  void do_handshake();
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(Request request);
  void upgrade(Request request);
  void reply(unsigned status, const nlohmann::json& body);
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void on_shutdown(boost::beast::error_code ec);
  void log_refused_penalty(const std::string& name, const std::string& reason);

  // The context this connection's TLS session came from. A renewal of the hub's server cert
  // swaps the endpoint's context for new handshakes; this one stays as long as its user.
  std::shared_ptr<boost::asio::ssl::context> tls_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  std::shared_ptr<EndpointState> state_;
  ConnectionSlot slot_;
  limits::HandshakeGate::Ticket handshake_;
  std::uint64_t tracker_id_ = 0;
  std::string peer_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> response_;
  bool handed_over_ = false;
};

}  // namespace phoenix::hub
