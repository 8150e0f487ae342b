#include "hub/agents/agent_session.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/protocol/json_read.hpp"

#include "shared/core/log.hpp"
#include "shared/pki/asn1_time.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace phoenix::hub {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using protocol::MessageType;

namespace {

constexpr const char* kLog = "agent-channel";
// An agent that stops reading while the hub keeps writing is dropped rather than buffered.
constexpr std::size_t kMaxQueuedMessages = 256;
// After a large message, give the read buffer back so idle channels stay small.
constexpr std::size_t kKeptBufferCapacity = 64 * 1024;
// How long a rate-limited agent's close frame gets before the hub closes the socket.
constexpr auto kFlooderCloseGrace = std::chrono::milliseconds(500);

// The `id` of a message that failed to decode, when one can be read safely, so the error
// reply can name it (docs/agent-protocol.md: `re` = id when known).
std::string salvage_id(std::string_view text) {
  if (text.size() > protocol::kMaxMessageBytes) return "";
  if (!protocol::check_json_limits(text, {})) return "";
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return "";
  const auto it = json.find("id");
  if (it == json.end() || !it->is_string()) return "";
  auto id = it->get<std::string>();
  if (id.empty() || id.size() > protocol::kMaxIdLength) return "";
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) return "";
  }
  return id;
}

websocket::close_reason make_close_reason(std::uint16_t code, std::string_view reason) {
  websocket::close_reason out;
  out.code = code;
  reason = reason.substr(0, out.reason.max_size());  // a close frame carries <= 123 bytes
  out.reason.assign(reason.data(), reason.size());
  return out;
}

}  // namespace

AgentSession::AgentSession(beast::ssl_stream<beast::tcp_stream>&& stream,
                           std::shared_ptr<EndpointState> state, ConnectionSlot slot,
                           Identity identity, std::string peer)
    : ws_(std::move(stream)),
      state_(std::move(state)),
      slot_(std::move(slot)),
      identity_(std::move(identity)),
      peer_(std::move(peer)),
      expiry_timer_(ws_.get_executor()) {}

AgentSession::~AgentSession() {
  if (tracker_id_ != 0) state_->tracker.remove(tracker_id_);
}

void AgentSession::run(beast::http::request<beast::http::string_body> request) {
  tracker_id_ = state_->tracker.add(weak_from_this());
  auto shared_request = std::make_shared<beast::http::request<beast::http::string_body>>(std::move(request));
  net::dispatch(ws_.get_executor(), [self = shared_from_this(), shared_request] {
    const auto& config = self->state_->config;
    // Pings at half the idle timeout; a peer silent for the whole of it is dropped.
    self->ws_.set_option(websocket::stream_base::timeout{config.websocket_handshake_timeout,
                                                          config.idle_timeout, true});
    self->ws_.read_message_max(config.message_max);
    self->ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(beast::http::field::server, "phoenix-hub");
    }));
    self->ws_.async_accept(*shared_request,
                           [self, shared_request](beast::error_code ec) { self->on_accept(ec); });
  });
}

void AgentSession::on_accept(beast::error_code ec) {
  if (ec) return finish("WebSocket handshake failed: " + ec.message());
  if (closing_ || state_->stopping) {
    // Closed (revoked, replaced, hub stopping) during the handshake: close now that it is done.
    closing_ = true;
    do_read();
    return ws_.async_close(make_close_reason(close_code_, close_reason_),
                           beast::bind_front_handler(&AgentSession::on_close, shared_from_this()));
  }
  const auto now = std::chrono::system_clock::now();
  // The address the channel comes from is what the hub knows of this VM's place on the network
  // (the swarm join address of a manager, the node of a revoked VM): kept, unlike the agent's word.
  const std::string ip = peer_ip();
  auto replaced = state_->registry->attach(identity_.name, shared_from_this(), identity_.serial, now, ip);
  attached_ = true;
  if (replaced) {
    log::notice(kLog, "agent " + identity_.name + " reconnected: closing its previous connection");
    replaced->close(1000, "replaced by a newer connection");
  }
  if (auto stored = state_->store->set_connected(identity_.name, true, now); !stored) {
    log::warning(kLog, "could not record that " + identity_.name + " is connected: " +
                           stored.error().to_string());
  }
  if (!ip.empty()) {
    if (auto stored = state_->store->set_agent_address(identity_.name, ip, now); !stored) {
      log::warning(kLog, "could not record the address of " + identity_.name + ": " + stored.error().to_string());
    }
  }
  log::info(kLog, "agent " + identity_.name + " connected from " + peer_ + " (identity serial " +
                      identity_.serial + ")");
  watch_expiry();
  do_read();
}

void AgentSession::watch_expiry() {
  if (identity_.not_after == std::chrono::system_clock::time_point::max()) return;
  // The wall clock says when; a steady timer waits (a clock step changes the wait by as much,
  // which is fine for a deadline the size of a cert lifetime). Capped so the duration cannot
  // overflow the steady clock's representation.
  const auto left = std::min<std::chrono::system_clock::duration>(
      std::max<std::chrono::system_clock::duration>(identity_.not_after - std::chrono::system_clock::now(), {}),
      std::chrono::hours(24 * 365 * 100));
  expiry_timer_.expires_after(left);
  expiry_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closing_ || self->finished_) return;
    log::notice(kLog, "the identity of agent " + self->identity_.name + " (serial " + self->identity_.serial +
                          ") expired at " + pki::format_utc(self->identity_.not_after) + ": closing its channel");
    self->do_close(1008, "identity certificate expired: the agent must renew (or be enrolled again)");
  });
}

void AgentSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&AgentSession::on_read, shared_from_this()));
}

void AgentSession::on_read(beast::error_code ec, std::size_t) {
  if (ec == websocket::error::message_too_big) {
    return finish("message over " + std::to_string(state_->config.message_max) +
                  " bytes: closed with 1009");
  }
  if (ec == websocket::error::closed) {
    const auto& reason = ws_.reason();
    return finish("closed by the agent (" + std::to_string(reason.code) +
                  (reason.reason.empty() ? "" : " " + std::string(reason.reason.c_str())) + ")");
  }
  if (ec) return finish(ec.message());

  if (!within_rate("messages")) {
    // Keep reading (and dropping) until the close ends the read: that read calls finish().
    buffer_.consume(buffer_.size());
    return do_read();
  }
  if (!ws_.got_text()) {
    send_error("", "invalid_envelope", "binary frames are not part of the protocol: send text");
  } else {
    const std::string text = beast::buffers_to_string(buffer_.data());
    // The crash boundary of one message: a handler that throws costs that message (an error
    // answer and a log line), never this channel, the other agents or the hub.
    try {
      handle_text(text);
    } catch (const std::exception& e) {
      log::error(kLog, "a message from agent " + identity_.name + " failed: " + printable(e.what(), 512));
      send_error(salvage_id(text), "internal_error", "the hub failed to handle this message; see its log");
    }
  }
  buffer_.consume(buffer_.size());
  if (buffer_.capacity() > kKeptBufferCapacity) buffer_.shrink_to_fit();
  // Also while closing: the read ends with the close (or the hard close of a flooder) and
  // finish() records the disconnect.
  if (!finished_) do_read();
}

void AgentSession::handle_text(std::string_view text) {
  auto decoded = protocol::decode(text);
  if (!decoded) {
    const auto& e = decoded.error();
    log::info(kLog, "agent " + identity_.name + " sent an invalid message: " + e.to_string());
    return send_error(salvage_id(text), e.code, e.message);
  }
  const auto& message = *decoded;
  switch (message.kind()) {
    case MessageType::hello:
    case MessageType::state:
      return handle_state(message);
    case MessageType::sign_request:
      return handle_sign_request(message);
    case MessageType::result:
    case MessageType::error:
      return handle_answer(message);
    case MessageType::unknown:
      return send_error(message.id, "unknown_type",
                        "unknown message type '" + message.type + "'");
    default:
      return send_error(message.id, "unexpected_type",
                        "'" + message.type + "' is a hub -> agent command");
  }
}

void AgentSession::handle_state(const protocol::Envelope& message) {
  if (!message.body.is_object()) {
    return send_error(message.id, "invalid_body", message.type + " body must be an AgentState object");
  }
  if (const auto vm = message.body.find("vm"); vm != message.body.end() &&
                                                (!vm->is_string() || *vm != identity_.name)) {
    return send_error(message.id, "name_mismatch",
                      "the state names another VM than this connection's identity (" +
                          identity_.name + ")");
  }
  state_->registry->update_state(identity_.name, this, message.body);
  // The store write (an fsync) runs on the blocking pool; only the latest state of an agent
  // waits there. The registry above already has it, so a refused write loses nothing live.
  auto write = [store = state_->store, name = identity_.name, body = message.body,
                at = std::chrono::system_clock::now()] {
    if (auto stored = store->set_last_state(name, body, at); !stored) {
      log::warning(kLog, "could not store the state of " + name + ": " + stored.error().to_string());
    }
  };
  if (!state_->blocking->post_latest("state " + identity_.name, std::move(write))) {
    log::warning(kLog, "the hub is busy: the state of " + identity_.name + " was not stored (kept in memory)");
  }
  if (message.kind() == MessageType::hello) {
    log::info(kLog, "agent " + identity_.name + " said hello (agent_version " +
                        protocol::json_text(message.body, {"agent_version"}, "?") + ")");
  }
}

void AgentSession::handle_answer(const protocol::Envelope& message) {
  if (!message.re) {
    log::info(kLog, "agent " + identity_.name + " sent a " + message.type + " without re: ignored");
    return;
  }
  auto it = pending_.find(*message.re);
  if (it == pending_.end()) {
    log::debug(kLog, "agent " + identity_.name + " answered " + *message.re +
                         ", which is not pending (timed out?)");
    return;
  }
  auto done = std::move(it->second.done);
  it->second.timer->cancel();
  if (it->second.docker_rotation) docker_signs_.rotation_closed(it->first);
  pending_.erase(it);
  if (message.kind() == MessageType::result) return done(message.body);
  const auto& body = message.body;
  const auto code = body.contains("code") && body["code"].is_string()
                        ? body["code"].get<std::string>() : std::string("agent_error");
  const auto text = body.contains("message") && body["message"].is_string()
                        ? body["message"].get<std::string>() : std::string("the agent reported an error");
  done(make_error(code, text));
}

void AgentSession::send_command(MessageType type, nlohmann::json body, CommandCallback done,
                                std::chrono::milliseconds timeout) {
  net::post(ws_.get_executor(), [self = shared_from_this(), type, body = std::move(body),
                                 done = std::move(done), timeout]() mutable {
    if (self->closing_ || self->finished_ || !self->attached_) {
      return done(make_error("agent_disconnected",
                             "the connection to " + self->identity_.name + " is closing"));
    }
    const auto id = self->next_id();
    auto timer = std::make_unique<net::steady_timer>(self->ws_.get_executor());
    timer->expires_after(timeout);
    timer->async_wait([weak = self->weak_from_this(), id](beast::error_code ec) {
      auto session = weak.lock();
      if (ec || !session) return;
      auto it = session->pending_.find(id);
      if (it == session->pending_.end()) return;
      auto callback = std::move(it->second.done);
      if (it->second.docker_rotation) session->docker_signs_.rotation_closed(id);
      session->pending_.erase(it);
      callback(make_error("command_timeout", "agent " + session->identity_.name +
                                                 " did not answer command " + id + " in time"));
    });
    const bool rotation = type == MessageType::rotate_docker_tls;
    if (rotation) self->docker_signs_.rotation_opened(id);
    self->pending_.emplace(id, Pending{std::move(done), std::move(timer), rotation});
    self->send(protocol::make_message(type, id, std::move(body)));
  });
}

void AgentSession::send(const protocol::Envelope& message) {
  if (closing_ || finished_) return;
  if (queue_.size() >= kMaxQueuedMessages) {
    log::warning(kLog, "agent " + identity_.name + " is not reading its messages: closing");
    return do_close(1008, "not reading");
  }
  queue_.push_back(protocol::encode(message));
  if (!writing_) do_write();
}

void AgentSession::send_error(const std::string& re, std::string_view code, std::string_view text) {
  send(protocol::make_error_reply(next_id(), re, code, text));
}

void AgentSession::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(queue_.front()),
                  beast::bind_front_handler(&AgentSession::on_write, shared_from_this()));
}

void AgentSession::on_write(beast::error_code ec, std::size_t) {
  writing_ = false;
  if (!queue_.empty()) queue_.pop_front();
  if (ec) return;  // the read side sees the broken connection and finishes the session
  if (closing_) {
    queue_.clear();
    return;
  }
  if (!queue_.empty()) do_write();
}

void AgentSession::close(std::uint16_t code, std::string reason) {
  net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->do_close(code, std::move(reason));
  });
}

void AgentSession::stop_now() { close(1001, "hub shutting down"); }

void AgentSession::do_close(std::uint16_t code, std::string reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_code_ = code;
  close_reason_ = reason;
  disconnect_reason_ = std::to_string(code) + " " + reason;
  if (!attached_) return;  // still in the handshake: on_accept closes once it is done
  // The message being written stays until its write completes; nothing new is sent.
  if (writing_) queue_.erase(queue_.begin() + 1, queue_.end());
  else queue_.clear();
  log::info(kLog, "closing the channel of " + identity_.name + " (" + std::to_string(code) +
                      " " + reason + ")");
  ws_.async_close(make_close_reason(code, reason),
                  beast::bind_front_handler(&AgentSession::on_close, shared_from_this()));
}

void AgentSession::on_close(beast::error_code ec) {
  if (ec && ec != net::error::operation_aborted) {
    log::debug(kLog, "close handshake with " + identity_.name + ": " + ec.message());
  }
}

void AgentSession::finish(const std::string& why) {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  expiry_timer_.cancel();
  for (auto& [id, pending] : pending_) {
    pending.timer->cancel();
    pending.done(make_error("agent_disconnected", "agent " + identity_.name +
                                                      " disconnected before answering " + id));
  }
  pending_.clear();
  if (attached_) {
    state_->registry->record_disconnect(identity_.name, disconnect_reason_.empty() ? why : disconnect_reason_,
                                        std::chrono::system_clock::now());
  }
  if (attached_ && state_->registry->detach(identity_.name, this)) {
    if (auto stored = state_->store->set_connected(identity_.name, false,
                                                   std::chrono::system_clock::now());
        !stored) {
      log::warning(kLog, "could not record that " + identity_.name + " disconnected: " +
                             stored.error().to_string());
    }
  }
  log::info(kLog, "agent " + identity_.name + " (" + peer_ + ") disconnected: " + why);
}

bool AgentSession::within_rate(const char* limit) {
  if (closing_) return false;
  const auto now = limits::AgentRateLimiter::Clock::now();
  if (state_->rates->try_take(identity_.name, limit, now)) return true;
  const auto& config = state_->config;
  const bool messages = std::string_view(limit) == "messages";
  (messages ? state_->counters->rate_limited_messages : state_->counters->rate_limited_sign_requests).fetch_add(1);
  const auto reason = messages ? "rate limit: over " + std::to_string(static_cast<long>(config.messages_per_s)) +
                                     " messages/s (burst " + std::to_string(static_cast<long>(config.message_burst)) + ")"
                               : "rate limit: over " + std::to_string(static_cast<long>(config.sign_requests_per_min)) +
                                     " sign_requests/min (burst " +
                                     std::to_string(static_cast<long>(config.sign_request_burst)) + ")";
  state_->rates->penalise(identity_.name, reason, now);
  log::warning(kLog, "agent " + identity_.name + " (" + peer_ + ") closed with 1008: " + reason +
                         "; its reconnects are refused (429) for " +
                         std::to_string(config.rate_limit_penalty.count() / 1000) + " s");
  do_close(1008, reason);
  // A flooder does not answer the close frame while it writes: Beast would read (and drop)
  // its flood for the whole close timeout. Give the frame a moment to leave, then hang up.
  auto hang_up = std::make_shared<net::steady_timer>(ws_.get_executor(), kFlooderCloseGrace);
  hang_up->async_wait([self = shared_from_this(), hang_up](beast::error_code ec) {
    if (ec || self->finished_) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(self->ws_).close();
  });
  return false;
}

std::string AgentSession::next_id() { return "hub-" + std::to_string(++next_id_); }

}  // namespace phoenix::hub
