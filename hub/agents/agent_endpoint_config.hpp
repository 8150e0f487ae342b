#pragma once
// Settings of the hub's agent endpoint (SPEC "Agent <-> hub channel", docs/agent-protocol.md).
// Every phase of a connection has a deadline and every input a size limit, so a peer that
// stalls or floods holds one slot for a bounded time and costs bounded memory.
#include "hub/agents/docker_trust.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace phoenix::hub {

struct AgentEndpointConfig {
  std::string listen_host = "0.0.0.0";  // numeric IPv4/IPv6 address
  std::uint16_t port = 8443;            // 0: the kernel picks one; AgentEndpoint::port() tells

  // The endpoint's own TLS identity (leaf first, then any intermediates) and its key.
  std::string server_cert_chain_pem;
  std::string server_key_pem;
  // The identity CA: the only trust anchor for client certs, and the signer of identities.
  std::string identity_ca_cert_pem;
  std::string identity_ca_key_pem;
  // Handed to agents at enrollment so they can trust dockerd certs rotated later (when no
  // docker_trust is given; with it, its current bundle).
  std::string docker_ca_pem;
  // Signs dockerd server and docker client certs during rotations and says which CAs are
  // trusted; without it the hub refuses docker sign requests ("docker_ca_unavailable").
  std::shared_ptr<DockerTrust> docker_trust;

  std::chrono::seconds identity_lifetime{std::chrono::hours{24 * 7}};
  std::size_t max_connections = 20'000;  // more are closed at once (and logged)
  // Connections still in their TLS handshake: a stranger's half-open handshakes cost a
  // descriptor and a key exchange each, so they are capped overall and per source address
  // (more are closed at accept). See hub/limits/handshake_gate.hpp.
  std::size_t max_handshakes = 256;
  std::size_t max_handshakes_per_source = 32;
  // Messages of one enrolled agent (token bucket per agent name): over the rate it is closed
  // with 1008 and refused (429) for rate_limit_penalty. An agent sends a state every few
  // seconds; 20/s with a burst of 200 leaves room for a burst of command answers.
  double message_burst = 200;
  double messages_per_s = 20;
  // sign_request costs an ECDSA signature and an fsync'd store write: a tighter bucket.
  double sign_request_burst = 30;
  double sign_requests_per_min = 10;
  std::chrono::milliseconds rate_limit_penalty{60'000};
  // Store writes, signing and enrollment run on this many threads, off the io threads; at most
  // blocking_queue_max jobs wait (more: 503 hub_busy / error hub_busy).
  std::size_t blocking_threads = 2;
  std::size_t blocking_queue_max = 1024;

  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds http_timeout{10'000};          // read the request, write the answer
  std::chrono::milliseconds websocket_handshake_timeout{10'000};  // upgrade and close handshakes
  // No frame for this long (pings included: the hub pings at half of it) closes the channel.
  std::chrono::milliseconds idle_timeout{30'000};

  std::size_t enroll_body_limit = 64 * 1024;
  std::size_t header_limit = 8 * 1024;
  std::size_t message_max = 1024 * 1024;  // larger WebSocket messages: close 1009
};

}  // namespace phoenix::hub
