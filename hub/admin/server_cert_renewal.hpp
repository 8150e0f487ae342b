#pragma once
// The hub's agent-endpoint certificate (tls/hub-cert.pem, tls/hub-key.pem): issued by
// `phoenix-hub init` and renewed by `serve` before it ends (on start and on a timer), from
// the same identity CA and for the same names, so agents (which pin the CA, not the leaf)
// accept the new one without being enrolled again. The decision is cert_expiry.hpp's.
#include "hub/admin/cert_expiry.hpp"
#include "hub/admin/hub_paths.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/pki/certificate_authority.hpp"

#include <chrono>
#include <set>
#include <string>

namespace phoenix::hub {

inline constexpr std::chrono::seconds kHubServerCertLifetime{365LL * 24 * 3600};

struct ServerKeyAndCert {
  pki::PrivateKey key;
  pki::Certificate cert;
};

// A new P-256 key and a serverAuth cert "phoenix-hub" for `dns_names` and `ips`, signed by
// `ca` at `now` (tests back-date it). Errors: the pki's.
Result<ServerKeyAndCert> issue_hub_server_cert(const pki::CertificateAuthority& ca,
                                               const std::set<std::string>& dns_names,
                                               const std::set<std::string>& ips,
                                               std::chrono::seconds lifetime = kHubServerCertLifetime,
                                               pki::TimePoint now = std::chrono::system_clock::now());

struct ServerCertState {
  bool renewed = false;
  std::string reason;            // for the log
  pki::TimePoint not_before{};   // of the cert now on disk
  pki::TimePoint not_after{};
  std::string serial_hex;
  pki::TimePoint next_check{};   // when the renewal window opens (max(): never)
  std::string chain_pem;         // the files' contents, for the TLS listener
  std::string key_pem;
};

// Reads the server cert, its key and the identity CA from `paths`; when the cert is in its
// renewal window, or its key does not match it (a renewal cut short between the two writes),
// issues a new one for the same names and writes the key (0600), then the chain (leaf and
// CA, 0644), each atomically. Errors: "not_initialized" (a file is missing), "io_error",
// the pki's.
Result<ServerCertState> renew_server_cert_if_due(fs::FileSystem& fs, const HubPaths& paths,
                                                 pki::TimePoint now = std::chrono::system_clock::now());

}  // namespace phoenix::hub
