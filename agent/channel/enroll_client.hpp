#pragma once
// The enrollment exchange (docs/agent-protocol.md "Enrollment exchange"): one HTTPS
// POST /agent/v1/enroll to the hub named by the token, with the hub pinned by the
// token's CA fingerprint. Every phase (resolve+connect, TLS handshake, write, read) has
// its own deadline and the answer a size limit.
#include "shared/core/error.hpp"
#include "shared/protocol/enroll_token.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace phoenix::agent {

struct EnrollClientOptions {
  std::chrono::milliseconds phase_timeout{10'000};
  std::size_t body_limit = 256 * 1024;
};

struct EnrollAnswer {
  std::string cert_pem;
  std::string ca_pem;
  std::string docker_ca_pem;
};

// Errors: "invalid_hub_url", "connect_failed", "timeout", "tls_handshake_failed",
// "pin_mismatch", "hub_cert_invalid", "enroll_refused" (400/401/403: the message carries
// the hub's code and message), "enroll_failed" (other statuses, bad answers).
Result<EnrollAnswer> request_enrollment(const protocol::EnrollToken& token, const std::string& csr_pem,
                                        const EnrollClientOptions& options = {});

}  // namespace phoenix::agent
