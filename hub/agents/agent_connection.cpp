#include "hub/agents/agent_connection.hpp"

#include "shared/core/safe_text.hpp"

#include "hub/agents/agent_session.hpp"
#include "hub/agents/peer_identity_check.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace phoenix::hub {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

constexpr const char* kLog = "agent-endpoint";

std::string endpoint_text(const net::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return "?";
  const auto address = remote.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(remote.port());
}

}  // namespace

void AgentConnection::log_refused_penalty(const std::string& name, const std::string& reason) {
  if (const auto held_back = state_->refusal_log.allow(limits::RateLimitedLog::Clock::now())) {
    log::warning(kLog, "agent channel of " + name + " from " + peer_ + " refused (429): still penalised for " +
                           reason + (*held_back ? " (" + std::to_string(*held_back) + " more refusals)" : ""));
  }
}

AgentConnection::AgentConnection(net::ip::tcp::socket&& socket, std::shared_ptr<EndpointState> state,
                                 limits::HandshakeGate::Ticket handshake)
    : tls_(state->current_tls()),
      stream_(beast::tcp_stream(std::move(socket)), *tls_),
      state_(std::move(state)),
      slot_(state_),
      handshake_(std::move(handshake)) {
  peer_ = endpoint_text(beast::get_lowest_layer(stream_).socket());
}

AgentConnection::~AgentConnection() {
  if (tracker_id_ != 0) state_->tracker.remove(tracker_id_);
}

void AgentConnection::run() {
  tracker_id_ = state_->tracker.add(weak_from_this());
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_handshake(); });
}

void AgentConnection::stop_now() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->handed_over_) return;
    beast::get_lowest_layer(self->stream_).close();
  });
}

void AgentConnection::do_handshake() {
  if (state_->stopping) return;
  beast::get_lowest_layer(stream_).expires_after(state_->config.tls_handshake_timeout);
  stream_.async_handshake(net::ssl::stream_base::server,
                          beast::bind_front_handler(&AgentConnection::on_handshake, shared_from_this()));
}

void AgentConnection::on_handshake(beast::error_code ec) {
  handshake_.release();  // done either way: the slot goes to the next stranger
  if (ec == beast::error::timeout) {
    // A peer that never finishes its handshake (slowloris); routine one at a time, worth a
    // line when many do it.
    state_->counters->refused_handshake_timeout.fetch_add(1);
    const auto held_back = state_->handshake_timeout_log.allow(limits::RateLimitedLog::Clock::now());
    if (held_back) {
      log::info(kLog, "TLS handshake from " + peer_ + " timed out after " +
                          std::to_string(state_->config.tls_handshake_timeout.count()) + " ms" +
                          (*held_back ? " (" + std::to_string(*held_back) + " more since the last line)" : ""));
    }
    return;
  }
  if (ec) {
    // A refused client certificate is the interesting case (SPEC: refused and logged);
    // port scanners and timeouts are routine.
    const std::string cert_problem = describe_verify_result(SSL_get_verify_result(stream_.native_handle()));
    if (!cert_problem.empty()) {
      log::warning(kLog, "TLS handshake from " + peer_ + " refused: " + cert_problem);
    } else {
      log::info(kLog, "TLS handshake from " + peer_ + " failed: " + ec.message());
    }
    return;
  }
  do_read();
}

void AgentConnection::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->config.header_limit));
  parser_->body_limit(state_->config.enroll_body_limit);
  beast::get_lowest_layer(stream_).expires_after(state_->config.http_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&AgentConnection::on_read, shared_from_this()));
}

void AgentConnection::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    return reply(413, error_reply(413, "body_too_large", "the request body is over 64 KiB").body);
  }
  if (ec == http::error::header_limit) {
    return reply(431, error_reply(431, "headers_too_large", "the request headers are too large").body);
  }
  if (ec) {
    if (ec != http::error::end_of_stream && ec != beast::error::timeout) {
      log::info(kLog, "bad HTTP request from " + peer_ + ": " + ec.message());
    }
    return;
  }
  // The crash boundary of one request: whatever a handler throws costs this request (a 500
  // in the hub's own words, the details in the log), never the hub or other connections.
  try {
    handle(parser_->release());
  } catch (const std::exception& e) {
    log::error(kLog, "a request from " + peer_ + " failed: " + printable(e.what(), 512));
    if (!handed_over_) {
      reply(500, error_reply(500, "internal_error", "the hub failed to handle this request; see its log").body);
    }
  }
}

void AgentConnection::handle(Request request) {
  const std::string_view target = request.target();
  if (target == "/agent/v1/enroll") {
    if (request.method() != http::verb::post) {
      return reply(405, error_reply(405, "method_not_allowed", "use POST").body);
    }
    // A CSR check, a signature and store writes: on the blocking pool, answered on the strand.
    auto self = shared_from_this();
    const bool queued = state_->blocking->post([self, body = std::move(request.body())] {
      // This request's crash boundary on the pool thread: a failure still gets an answer.
      JsonReply answer;
      try {
        answer = self->state_->enrollment->handle(body, self->peer_, std::chrono::system_clock::now());
      } catch (const std::exception& e) {
        log::error(kLog, "enrollment from " + self->peer_ + " failed: " + printable(e.what(), 512));
        answer = error_reply(500, "internal_error", "the hub failed to handle this request; see its log");
      }
      net::post(self->stream_.get_executor(),
                [self, answer = std::move(answer)] { self->reply(answer.status, answer.body); });
    });
    if (!queued) {
      return reply(503, error_reply(503, "hub_busy", "the hub is busy: enroll again in a few seconds").body);
    }
    return;
  }
  if (target == "/agent/v1") {
    if (!beast::websocket::is_upgrade(request)) {
      return reply(426, error_reply(426, "upgrade_required",
                                    "GET /agent/v1 is a WebSocket upgrade").body);
    }
    return upgrade(std::move(request));
  }
  reply(404, error_reply(404, "not_found", "no such endpoint").body);
}

void AgentConnection::upgrade(Request request) {
  const auto cert = read_peer_certificate(stream_.native_handle());
  auto store_facts = PeerStoreFacts{};
  if (cert.present && cert.chain_verified) {
    auto looked_up = lookup_peer(*state_->store, *state_->registry, cert);
    if (!looked_up) {
      log::error(kLog, "agent channel from " + peer_ + " refused: store error: " +
                           looked_up.error().to_string());
      return reply(503, error_reply(503, "store_unavailable", "the hub cannot read its store").body);
    }
    store_facts = *looked_up;
  }
  // An agent closed for flooding stays out for the penalty, so a reconnect loop cannot keep
  // flooding at the cost of one TLS handshake per burst.
  if (cert.present && cert.chain_verified) {
    if (const auto penalty = state_->rates->penalty(cert.common_name, limits::AgentRateLimiter::Clock::now())) {
      state_->counters->refused_rate_limit_penalty.fetch_add(1);
      log_refused_penalty(cert.common_name, penalty->reason);
      return reply(429, error_reply(429, "rate_limited", "this agent went over a rate limit (" + penalty->reason +
                                                             "): retry later").body);
    }
  }
  const auto decision = decide_peer(cert, store_facts, std::chrono::system_clock::now());
  if (!decision.accepted) {
    log::warning(kLog, "agent channel from " + peer_ + " refused (" +
                           std::to_string(decision.http_status) + " " + decision.code +
                           "): " + decision.reason);
    return reply(decision.http_status,
                 error_reply(decision.http_status, decision.code, decision.reason).body);
  }
  handed_over_ = true;
  beast::get_lowest_layer(stream_).expires_never();
  auto session = std::make_shared<AgentSession>(std::move(stream_), state_, std::move(slot_),
                                                AgentSession::Identity{cert.common_name, cert.serial_hex, cert.not_after},
                                                peer_);
  session->run(std::move(request));
}

void AgentConnection::reply(unsigned status, const nlohmann::json& body) {
  response_ = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status), 11);
  response_->set(http::field::content_type, "application/json");
  response_->set(http::field::cache_control, "no-store");
  response_->keep_alive(false);
  response_->body() = dump_json(body) + "\n";
  response_->prepare_payload();
  beast::get_lowest_layer(stream_).expires_after(state_->config.http_timeout);
  http::async_write(stream_, *response_,
                    beast::bind_front_handler(&AgentConnection::on_write, shared_from_this()));
}

void AgentConnection::on_write(beast::error_code ec, std::size_t) {
  if (ec) return;
  // One request per connection: close the TLS session properly so the client sees a clean end.
  beast::get_lowest_layer(stream_).expires_after(state_->config.http_timeout);
  stream_.async_shutdown(beast::bind_front_handler(&AgentConnection::on_shutdown, shared_from_this()));
}

void AgentConnection::on_shutdown(beast::error_code) {
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(stream_).close();
}

}  // namespace phoenix::hub
