#pragma once
// What certificate does a TLS endpoint actually serve? dockerd keeps serving its old cert
// until restarted, so the doctor and the apply verifier compare the served cert with the
// one on disk, by serial and SHA-256 fingerprint.
#include "agent/engine/tls_material.hpp"
#include "shared/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace phoenix::agent::engine {

struct PeerCertificate {
  std::string pem;
  std::string serial_hex;          // upper-case hex, no separators
  std::string sha256_fingerprint;  // lower-case hex of SHA-256 over the DER, no separators
  std::string subject;             // one-line RFC 2253 form
  std::chrono::system_clock::time_point not_after;
};

struct CertificateProbeOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // Verify chain and SANs like any request does; false only to inspect a cert that
  // does not verify (e.g. to tell "old cert still served" from "wrong CA").
  bool verify_peer = true;
};

// Connects, completes the TLS handshake (presenting the client cert from `tls` if any),
// returns the server's leaf cert and closes. Errors as HttpClient's.
Result<PeerCertificate> fetch_server_certificate(const std::string& host, std::uint16_t port,
                                                 const TlsMaterial& tls,
                                                 CertificateProbeOptions options = {});

// The same facts for a PEM certificate on disk, to compare with what is served.
Result<PeerCertificate> describe_certificate_pem(const std::string& pem);

}  // namespace phoenix::agent::engine
