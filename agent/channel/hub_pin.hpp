#pragma once
// First contact with the hub (enrollment) happens before the agent has any CA: it trusts
// the hub only through the token's SHA-256 fingerprint of the identity CA. The check:
// the chain the server presented contains a certificate whose SHA-256 (DER) equals the
// pin, and the leaf verifies against that certificate alone as a trust anchor, for
// serverAuth, now, with the URL's host among its SANs. The TLS layer runs it right after
// the handshake and before a single byte (the token secret) is sent.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"
#include "shared/pki/certificate.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace phoenix::agent {

// `presented` is the peer chain as sent, leaf first. Errors: "pin_mismatch" (no
// certificate with the pinned fingerprint: the message lists what was presented and says
// to check the hub URL), "hub_cert_invalid" (the leaf does not verify against the pinned
// CA, is not for serverAuth, or does not name `host`).
// Returns the pinned CA certificate on success.
Result<pki::Certificate> check_pinned_chain(const std::vector<pki::Certificate>& presented,
                                            std::string_view pinned_sha256, const std::string& host,
                                            bool host_is_ip, pki::TimePoint now);

}  // namespace phoenix::agent
