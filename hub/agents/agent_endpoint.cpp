#include "hub/agents/agent_endpoint.hpp"

#include "hub/agents/agent_connection.hpp"
#include "hub/agents/endpoint_state.hpp"
#include "hub/agents/tls_context.hpp"
#include "hub/limits/accept_backoff.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace phoenix::hub {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr const char* kLog = "agent-endpoint";

// The peer's address without the port: the per-source handshake cap counts addresses.
std::string source_address(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return "?";
  auto address = remote.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

// Logs a refusal at most once a second, saying how many were refused meanwhile.
void log_refusal(limits::RateLimitedLog& log_gate, const std::string& text) {
  const auto held_back = log_gate.allow(limits::RateLimitedLog::Clock::now());
  if (!held_back) return;
  log::warning(kLog, text + (*held_back == 0 ? "" : " (and " + std::to_string(*held_back) +
                                                        " more refusals since the last line)"));
}
}  // namespace

// Accepts connections, each onto its own strand, until stopped.
class AgentListener : public std::enable_shared_from_this<AgentListener> {
 public:
  AgentListener(net::io_context& ioc, std::shared_ptr<EndpointState> state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), retry_timer_(acceptor_.get_executor()),
        state_(std::move(state)) {}

  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec) return make_error("listen_failed", "agent endpoint: '" + host + "' is not an IP address");
    const tcp::endpoint endpoint(address, port);
    const auto where = host + ":" + std::to_string(port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return make_error("listen_failed", "agent endpoint: cannot listen on " + where + ": " + ec.message());
    return acceptor_.local_endpoint().port();
  }

  void start() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_timer_.cancel();
    });
  }

 private:
  void do_accept() {
    if (stopped_) return;
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](
                                                       boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopped_ || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: retrying at once would spin (the pending
      // connection stays pending), so wait, longer each time, and keep serving the others.
      state_->counters->accept_errors_agent.fetch_add(1);
      const auto delay = backoff_.next_delay();
      log_refusal(accept_error_log_, "accept failed: " + ec.message() + "; retrying in " +
                                         std::to_string(delay.count()) + " ms");
      retry_timer_.expires_after(delay);
      retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    backoff_.reset();
    admit(std::move(socket));
    do_accept();
  }

  // The caps a connection must pass before it costs a TLS handshake.
  void admit(tcp::socket socket) {
    const auto source = source_address(socket);
    const auto& config = state_->config;
    if (state_->open_connections.load() >= config.max_connections) {
      state_->counters->refused_max_connections.fetch_add(1);
      log_refusal(state_->refusal_log, "refused a connection from " + source + ": max_connections (" +
                                           std::to_string(config.max_connections) + ") reached");
      return close(socket);
    }
    limits::Admission why{};
    auto ticket = state_->handshakes->try_enter(source, why);
    if (!ticket) {
      (why == limits::Admission::too_many_handshakes ? state_->counters->refused_max_handshakes
                                                      : state_->counters->refused_max_handshakes_per_source)
          .fetch_add(1);
      const auto cap = why == limits::Admission::too_many_handshakes ? config.max_handshakes
                                                                     : config.max_handshakes_per_source;
      log_refusal(state_->refusal_log, "refused a connection from " + source + ": " +
                                           limits::admission_name(why) + " (" + std::to_string(cap) +
                                           " TLS handshakes in progress) reached");
      return close(socket);
    }
    std::make_shared<AgentConnection>(std::move(socket), state_, std::move(ticket))->run();
  }

  static void close(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.close(ignored);
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::shared_ptr<EndpointState> state_;
  limits::AcceptBackoff backoff_;
  limits::RateLimitedLog accept_error_log_;
  bool stopped_ = false;
};

AgentEndpoint::AgentEndpoint(net::io_context& ioc, AgentEndpointConfig config,
                             std::shared_ptr<HubStore> store)
    : ioc_(ioc),
      registry_(std::make_shared<AgentRegistry>(ioc.get_executor(), store)),
      state_(std::make_shared<EndpointState>()) {
  state_->config = std::move(config);
  state_->store = std::move(store);
  state_->registry = registry_;
  const auto& c = state_->config;
  state_->handshakes = std::make_shared<limits::HandshakeGate>(c.max_handshakes, c.max_handshakes_per_source);
  state_->rates = std::make_unique<limits::AgentRateLimiter>(
      std::map<std::string, limits::Rate>{{"messages", {c.message_burst, c.messages_per_s}},
                                          {"sign_requests", {c.sign_request_burst, c.sign_requests_per_min / 60.0}}},
      c.rate_limit_penalty);
}

AgentEndpoint::~AgentEndpoint() {
  stop();
  // Queued store writes finish before the store goes; later posts are refused.
  if (state_->blocking) state_->blocking->stop();
}

Result<void> AgentEndpoint::start() {
  auto tls = make_agent_tls_context(state_->config);
  if (!tls) return tls.error();
  auto ca = pki::CertificateAuthority::load(state_->config.identity_ca_cert_pem,
                                            state_->config.identity_ca_key_pem);
  if (!ca) {
    return make_error(ca.error().code, "identity CA: " + ca.error().message);
  }
  state_->set_tls(std::move(*tls));
  state_->blocking = std::make_shared<BlockingPool>(state_->config.blocking_threads,
                                                    state_->config.blocking_queue_max, state_->counters);
  state_->issuer = std::make_shared<const IdentityIssuer>(std::move(*ca), state_->config.identity_lifetime);
  auto docker_bundle = [trust = state_->config.docker_trust, fixed = state_->config.docker_ca_pem] {
    return trust ? trust->bundle_pem() : fixed;
  };
  state_->enrollment = std::make_unique<EnrollmentHandler>(state_->store, state_->issuer, docker_bundle);
  if (auto marked = state_->store->mark_all_disconnected(std::chrono::system_clock::now()); !marked) {
    return marked.error();
  }
  auto listener = std::make_shared<AgentListener>(ioc_, state_);
  auto port = listener->listen(state_->config.listen_host, state_->config.port);
  if (!port) return port.error();
  port_ = *port;
  listener_ = listener;
  listener->start();
  log::info(kLog, "listening for agents on " + state_->config.listen_host + ":" + std::to_string(port_));
  return ok();
}

Result<void> AgentEndpoint::replace_server_certificate(std::string chain_pem, std::string key_pem) {
  // A fresh context from the same settings with the new pair; the old one is not modified
  // in place, as handshakes on other threads may be reading it.
  AgentEndpointConfig config = state_->config;
  config.server_cert_chain_pem = std::move(chain_pem);
  config.server_key_pem = std::move(key_pem);
  auto tls = make_agent_tls_context(config);
  if (!tls) return tls.error();
  state_->set_tls(std::move(*tls));
  return ok();
}

void AgentEndpoint::stop() {
  if (!listener_ || state_->stopping.exchange(true)) return;
  listener_->stop();
  const auto connections = state_->tracker.all();
  log::info(kLog, "stopping: closing " + std::to_string(connections.size()) + " connection(s)");
  for (const auto& connection : connections) connection->stop_now();
}

std::size_t AgentEndpoint::open_connections() const { return state_->open_connections.load(); }

std::size_t AgentEndpoint::handshakes_in_progress() const { return state_->handshakes->in_progress(); }

std::shared_ptr<limits::LimitCounters> AgentEndpoint::counters() const { return state_->counters; }

}  // namespace phoenix::hub
