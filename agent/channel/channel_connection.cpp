#include "agent/channel/channel_connection.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>

namespace phoenix::agent {
namespace net = boost::asio;
namespace beast = boost::beast;

ChannelConnection::ChannelConnection(const net::any_io_executor& executor, std::shared_ptr<net::ssl::context> tls)
    : tls_(std::move(tls)), stream_(executor, *tls_), wake_(executor) {}

void ChannelConnection::send(std::string text) {
  if (closing_) return;
  queue_.push_back(std::move(text));
  if (writing_) return;
  writing_ = true;
  net::co_spawn(stream_.get_executor(), [self = shared_from_this()] { return self->write_loop(); }, net::detached);
}

net::awaitable<void> ChannelConnection::write_loop() {
  boost::system::error_code ec;
  while (!queue_.empty() && !closing_) {
    stream_.text(true);
    co_await stream_.async_write(net::buffer(queue_.front()), net::redirect_error(net::use_awaitable, ec));
    if (ec) break;  // the reader sees the broken connection and ends it
    queue_.pop_front();
  }
  queue_.clear();
  writing_ = false;
}

void ChannelConnection::close(std::uint16_t code, std::string reason) {
  if (closing_) return;
  closing_ = true;
  close_done_ = false;
  net::co_spawn(stream_.get_executor(),
                [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
                  return self->close_frame(code, std::move(reason));
                },
                net::detached);
}

net::awaitable<void> ChannelConnection::close_frame(std::uint16_t code, std::string reason) {
  boost::system::error_code ec;
  co_await stream_.async_close(beast::websocket::close_reason(static_cast<beast::websocket::close_code>(code), reason), net::redirect_error(net::use_awaitable, ec));
  if (ec && ec != net::error::operation_aborted) log::debug("agent-channel", "close handshake: " + ec.message());
  close_done_ = true;
}

net::awaitable<void> ChannelConnection::shutdown() {
  boost::system::error_code ec;
  net::steady_timer pause(stream_.get_executor());
  // A close handshake in progress is bounded by the stream's handshake timeout.
  for (int i = 0; i < 200 && !close_done_; ++i) {
    pause.expires_after(std::chrono::milliseconds(50));
    co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  closing_ = true;
  beast::get_lowest_layer(stream_).close();
  for (int i = 0; i < 100 && writing_; ++i) {
    pause.expires_after(std::chrono::milliseconds(20));
    co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

std::string ChannelConnection::local_address() {
  boost::system::error_code ec;
  const auto local = boost::beast::get_lowest_layer(stream_).socket().local_endpoint(ec);
  if (ec) return {};
  auto address = local.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

}  // namespace phoenix::agent
