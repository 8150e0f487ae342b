#pragma once
// One live WebSocket to the hub (wss over mutual TLS) and its outgoing queue: Beast
// allows one write in flight, so messages queue here and a single writer coroutine sends
// them in order. close() sends the close frame once, whatever is being written.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace phoenix::agent {

class ChannelConnection : public std::enable_shared_from_this<ChannelConnection> {
 public:
  using Stream = boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

  ChannelConnection(const boost::asio::any_io_executor& executor, std::shared_ptr<boost::asio::ssl::context> tls);

  Stream& stream() { return stream_; }
  // Wakes the owner's periodic work early (cancelled when the connection ends or must act).
  boost::asio::steady_timer& wake_timer() { return wake_; }

  void send(std::string text);
  void close(std::uint16_t code, std::string reason);
  bool closing() const { return closing_; }
  // The address this side of the channel leaves from ("" when unknown): the VM's own address
  // as the hub sees it, which the agent claims in docker certs and advertises to the swarm.
  std::string local_address();
  // Tears the socket down and waits for the writer (and close) to finish.
  boost::asio::awaitable<void> shutdown();

  bool established = false;  // the WebSocket handshake completed
  bool reader_done = false;
  bool renewed = false;  // the identity was replaced: reconnect at once

 private:
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> close_frame(std::uint16_t code, std::string reason);

  std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives the stream
  Stream stream_;
  boost::asio::steady_timer wake_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closing_ = false;
  bool close_done_ = true;
};

}  // namespace phoenix::agent
