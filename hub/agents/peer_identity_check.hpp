#pragma once
// The decision whether a TLS peer may open the agent channel (SPEC "Trust model"): a
// verified client cert must be present, allow clientAuth, name an enrolled agent, and be
// neither revoked (by serial or by name) nor superseded by a newer identity. The decision
// is a pure function over plain facts; reading the facts from OpenSSL and the store is a
// thin shell around it.
#include "hub/agents/agent_registry.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"

#include <openssl/ssl.h>

#include <string>

namespace phoenix::hub {

// What the TLS layer learned about the client certificate.
struct PeerCertificateFacts {
  bool present = false;         // the client sent a certificate
  bool chain_verified = false;  // SSL_get_verify_result() == X509_V_OK
  std::string verify_error;     // why not, when !chain_verified
  std::string common_name;
  std::string serial_hex;
  bool client_auth = false;  // the EKU extension lists clientAuth
  pki::TimePoint not_before{};
  pki::TimePoint not_after{};
};

// What the hub's records say about that certificate's CN and serial.
struct PeerStoreFacts {
  bool enrolled = false;          // the store knows an agent by that name
  std::string current_serial;     // its current identity serial
  bool serial_revoked = false;    // the serial is on the deny list
  bool name_revoked = false;      // the agent is revoked
  bool previous_serial = false;   // the serial this agent just renewed from (AgentRegistry)
};

struct PeerDecision {
  bool accepted = false;
  unsigned http_status = 0;  // 401 or 403 when refused
  std::string code;          // "client_cert_required", "client_cert_invalid", "cert_expired",
                             // "cert_not_yet_valid", "wrong_purpose", "agent_not_enrolled",
                             // "agent_revoked", "cert_superseded"
  std::string reason;        // for the log and the 401/403 body
};

PeerDecision decide_peer(const PeerCertificateFacts& cert, const PeerStoreFacts& store,
                         pki::TimePoint now);

// The facts of the peer of an established TLS connection.
PeerCertificateFacts read_peer_certificate(SSL* ssl);

// The store's facts for `cert` (enrolled? revoked? current serial?). Store errors pass through.
Result<PeerStoreFacts> lookup_peer(HubStore& store, const AgentRegistry& registry,
                                   const PeerCertificateFacts& cert);

// Why OpenSSL refused a client certificate (X509_V_ERR_*), in words an operator can act on:
// "client certificate expired (certificate has expired)". Empty for X509_V_OK.
std::string describe_verify_result(long verify_result);

}  // namespace phoenix::hub
