#pragma once
// The agent's two TLS client set-ups:
// - enrollment (no identity yet, no CA on disk): OpenSSL is told not to judge the server
//   (verify_none, since there is no trust anchor to judge it with); instead the presented
//   chain is read right after the handshake and checked against the token's pin by
//   check_pinned_chain (hub_pin.hpp). Nothing is written to the connection before that
//   check passes, so the token secret never reaches an unpinned server.
// - the channel: mutual TLS with the identity cert and key, identity/ca.pem as the only
//   trust anchor, purpose sslserver and host name verification against the hub URL.
#include "agent/channel/hub_url.hpp"
#include "agent/channel/identity_store.hpp"
#include "shared/core/error.hpp"
#include "shared/pki/certificate.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream_base.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <vector>

namespace phoenix::agent {

// TLS 1.2 minimum, no renegotiation, no session tickets. Error "tls_config".
Result<std::shared_ptr<boost::asio::ssl::context>> make_enroll_tls_context();
Result<std::shared_ptr<boost::asio::ssl::context>> make_channel_tls_context(const IdentityFiles& identity);

// Per connection: SNI for DNS hosts; with `verify_host`, the peer cert must name `host`.
Result<void> prepare_tls_stream(SSL* ssl, const HubAddress& hub, bool verify_host);

// The certificates the server sent (leaf first), copied out of the handshake.
std::vector<pki::Certificate> presented_chain(SSL* ssl);

}  // namespace phoenix::agent
