#pragma once
// What every connection of the agent endpoint shares: configuration, TLS context, the
// identity issuer, the store and registry, the open-connection count and the set of
// connections a stop() must reach. Internal to hub/agents.
#include "hub/agents/agent_endpoint_config.hpp"
#include "hub/agents/agent_registry.hpp"
#include "hub/agents/blocking_pool.hpp"
#include "hub/agents/enrollment_handler.hpp"
#include "hub/agents/identity_issuer.hpp"
#include "hub/limits/handshake_gate.hpp"
#include "hub/limits/limit_counters.hpp"
#include "hub/limits/rate_limited_log.hpp"
#include "hub/limits/token_bucket.hpp"
#include "hub/store/hub_store.hpp"

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace phoenix::hub {

// A connection the endpoint can wind down on stop(): thread-safe, returns at once.
class Stoppable {
 public:
  virtual ~Stoppable() = default;
  virtual void stop_now() = 0;
};

class ConnectionTracker {
 public:
  std::uint64_t add(std::weak_ptr<Stoppable> connection);
  void remove(std::uint64_t id);
  std::vector<std::shared_ptr<Stoppable>> all() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::weak_ptr<Stoppable>> connections_;
};

struct EndpointState {
  AgentEndpointConfig config;
  std::shared_ptr<HubStore> store;
  std::shared_ptr<AgentRegistry> registry;
  // The TLS context of new handshakes, swapped when the hub's server cert is renewed (any
  // thread). Established sessions keep theirs: OpenSSL counts an SSL_CTX's users.
  std::shared_ptr<boost::asio::ssl::context> current_tls() const {
    std::lock_guard lock(tls_mutex);
    return tls;
  }
  void set_tls(std::shared_ptr<boost::asio::ssl::context> context) {
    std::lock_guard lock(tls_mutex);
    tls = std::move(context);
  }
  mutable std::mutex tls_mutex;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::shared_ptr<const IdentityIssuer> issuer;
  std::unique_ptr<EnrollmentHandler> enrollment;
  std::atomic<std::size_t> open_connections{0};
  std::atomic<bool> stopping{false};
  ConnectionTracker tracker;
  // Limits (set up by AgentEndpoint's constructor from config).
  std::shared_ptr<limits::LimitCounters> counters = std::make_shared<limits::LimitCounters>();
  std::shared_ptr<limits::HandshakeGate> handshakes;
  std::unique_ptr<limits::AgentRateLimiter> rates;
  // Store writes, signing and enrollment, off the io threads (created by start()).
  std::shared_ptr<BlockingPool> blocking;
  // One line a second for each kind of refusal, however many there are.
  limits::RateLimitedLog refusal_log;
  limits::RateLimitedLog handshake_timeout_log;
};

// Counts one open connection for as long as it lives (moved from the HTTP phase into
// the WebSocket session, so the count follows the socket).
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  explicit ConnectionSlot(std::shared_ptr<EndpointState> state) : state_(std::move(state)) {
    if (state_) state_->open_connections.fetch_add(1);
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept : state_(std::move(other.state_)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ConnectionSlot(const ConnectionSlot&) = delete;
  ~ConnectionSlot() {
    if (state_) state_->open_connections.fetch_sub(1);
  }

 private:
  std::shared_ptr<EndpointState> state_;
};

}  // namespace phoenix::hub
