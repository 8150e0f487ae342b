#pragma once
// The hub's agent endpoint (default 0.0.0.0:8443): one TLS listener serving
//   POST /agent/v1/enroll  token + CSR -> identity cert (server-auth TLS only), and
//   GET  /agent/v1         the mutual-TLS WebSocket channel, one per agent.
// The TLS layer verifies a client cert whenever one is presented (identity CA only,
// purpose sslclient), so a wrong cert fails the handshake while enrollment works without
// one; the upgrade then also requires a cert, an enrolled CN and no revocation.
// See docs/agent-protocol.md.
#include "hub/agents/agent_endpoint_config.hpp"
#include "hub/agents/agent_registry.hpp"
#include "hub/limits/limit_counters.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/core/error.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace phoenix::hub {

struct EndpointState;
class AgentListener;

class AgentEndpoint {
 public:
  AgentEndpoint(boost::asio::io_context& ioc, AgentEndpointConfig config,
                std::shared_ptr<HubStore> store);
  ~AgentEndpoint();
  AgentEndpoint(const AgentEndpoint&) = delete;
  AgentEndpoint& operator=(const AgentEndpoint&) = delete;

  // Loads the TLS material and the identity CA, marks every agent disconnected in the
  // store (nobody is connected to a hub that just started), binds and starts accepting.
  // Errors: "tls_config" (bad cert/key PEM), the CA's load errors, "listen_failed".
  Result<void> start();

  // Makes new TLS handshakes present `chain_pem` (leaf first) with `key_pem`: the renewed
  // server cert. Live connections are untouched. Thread-safe. Errors: "tls_config".
  Result<void> replace_server_certificate(std::string chain_pem, std::string key_pem);

  // Stops accepting, sends every agent a close frame (1001 going away) and drops
  // connections still in their HTTP phase. Returns at once; the io_context finishes the
  // close handshakes (bounded by websocket_handshake_timeout). Call on the io thread or
  // any other; calling it twice is fine.
  void stop();

  // The bound port (useful with port 0). 0 before start().
  std::uint16_t port() const { return port_; }

  AgentRegistry& registry() { return *registry_; }
  std::shared_ptr<AgentRegistry> shared_registry() { return registry_; }

  std::size_t open_connections() const;
  std::size_t handshakes_in_progress() const;
  // What the endpoint's limits refused, for /metrics (the API server counts into it too).
  std::shared_ptr<limits::LimitCounters> counters() const;

 private:
  boost::asio::io_context& ioc_;
  std::shared_ptr<AgentRegistry> registry_;
  std::shared_ptr<EndpointState> state_;
  std::shared_ptr<AgentListener> listener_;
  std::uint16_t port_ = 0;
};

}  // namespace phoenix::hub
