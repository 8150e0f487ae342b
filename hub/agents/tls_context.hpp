#pragma once
// The agent endpoint's TLS server context: TLS 1.2 minimum (1.3 preferred), ECDHE key
// exchange only, no session resumption (every connection presents and verifies its cert),
// and client certs verified whenever one is presented: trust = the identity CA only,
// purpose sslclient. A missing cert is allowed at this layer (enrollment has none); the
// channel upgrade refuses it (peer_identity_check.hpp).
#include "hub/agents/agent_endpoint_config.hpp"
#include "shared/core/error.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace phoenix::hub {

// Error "tls_config" naming the PEM that is wrong.
Result<std::shared_ptr<boost::asio::ssl::context>> make_agent_tls_context(
    const AgentEndpointConfig& config);

}  // namespace phoenix::hub
