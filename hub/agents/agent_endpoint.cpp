#include "hub/agents/agent_endpoint.hpp"

#include "hub/agents/agent_connection.hpp"
#include "hub/agents/endpoint_state.hpp"
#include "hub/agents/tls_context.hpp"
#include "shared/core/log.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace phoenix::hub {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr const char* kLog = "agent-endpoint";
}  // namespace

// Accepts connections, each onto its own strand, until stopped.
class AgentListener : public std::enable_shared_from_this<AgentListener> {
 public:
  AgentListener(net::io_context& ioc, std::shared_ptr<EndpointState> state)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(std::move(state)) {}

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
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](
                                                       boost::system::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: keep serving the connections we have.
      log::warning(kLog, "accept failed: " + ec.message());
    } else if (state_->open_connections.load() >= state_->config.max_connections) {
      log::warning(kLog, "too many connections (" + std::to_string(state_->config.max_connections) +
                             "): dropping a new one");
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      std::make_shared<AgentConnection>(std::move(socket), state_)->run();
    }
    do_accept();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::shared_ptr<EndpointState> state_;
};

AgentEndpoint::AgentEndpoint(net::io_context& ioc, AgentEndpointConfig config,
                             std::shared_ptr<HubStore> store)
    : ioc_(ioc),
      registry_(std::make_shared<AgentRegistry>(ioc.get_executor(), store)),
      state_(std::make_shared<EndpointState>()) {
  state_->config = std::move(config);
  state_->store = std::move(store);
  state_->registry = registry_;
}

AgentEndpoint::~AgentEndpoint() { stop(); }

Result<void> AgentEndpoint::start() {
  auto tls = make_agent_tls_context(state_->config);
  if (!tls) return tls.error();
  auto ca = pki::CertificateAuthority::load(state_->config.identity_ca_cert_pem,
                                            state_->config.identity_ca_key_pem);
  if (!ca) {
    return make_error(ca.error().code, "identity CA: " + ca.error().message);
  }
  state_->tls = std::move(*tls);
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

void AgentEndpoint::stop() {
  if (!listener_ || state_->stopping.exchange(true)) return;
  listener_->stop();
  const auto connections = state_->tracker.all();
  log::info(kLog, "stopping: closing " + std::to_string(connections.size()) + " connection(s)");
  for (const auto& connection : connections) connection->stop_now();
}

std::size_t AgentEndpoint::open_connections() const { return state_->open_connections.load(); }

}  // namespace phoenix::hub
