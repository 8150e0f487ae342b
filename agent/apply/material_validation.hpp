#pragma once
// Everything about the operator's cert files that can be checked before anything on disk
// changes: each file parses, each key belongs to its cert, both certs chain to the given CA
// with the right purpose (server cert serverAuth, client cert clientAuth), the server cert
// covers 127.0.0.1 and localhost (the names the context and the verifier dial), and both are
// valid now. Chains are held to dockerd's own rules (pki::ChainRules::as_dockerd): what
// dockerd would serve and the docker CLI would verify is accepted. Each refusal has its own Error::code, "<role>_<reason>", and a message naming
// the file and what to do.
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"

#include <string>
#include <vector>

namespace phoenix::agent::apply {

// The PEM contents and the paths they came from (paths only for messages).
struct CertFiles {
  std::string ca_pem, server_cert_pem, server_key_pem, client_cert_pem, client_key_pem;
  // The CAs dockerd accepts clients from; empty means ca_pem (one CA for both directions, as
  // `docker apply --ca` takes it). Hub rotations set it: the VM's own client CA + operators'.
  std::string client_ca_pem;
  std::string ca_path = "CA", client_ca_path = "client CA", server_cert_path = "server cert", server_key_path = "server key",
              client_cert_path = "client cert", client_key_path = "client key";
};

struct ValidatedMaterial {
  CertFiles files;
  std::string server_serial;  // uppercase hex, as pki::CertFacts and the TLS probe print it
  std::string client_serial;
  std::string server_not_after;  // ISO-8601 UTC
  std::string client_not_after;
  // What passed dockerd's rules but not OpenSSL's strict profile (a CA without keyUsage, as
  // `openssl req -x509` makes): accepted, because dockerd accepts it, and said once.
  std::vector<std::string> notes;
};

// Error codes (stable):
//   ca_invalid_pem, client_ca_invalid_pem, server_cert_invalid_pem, server_key_invalid_pem, client_cert_invalid_pem,
//   client_key_invalid_pem, server_key_mismatch, client_key_mismatch, server_cert_unknown_ca,
//   client_cert_unknown_ca, server_cert_wrong_purpose, client_cert_wrong_purpose,
//   server_cert_expired, client_cert_expired, server_cert_not_yet_valid,
//   client_cert_not_yet_valid, server_cert_chain_invalid, client_cert_chain_invalid,
//   server_cert_san_missing.
// `extra_ips` / `extra_dns` are further names the server cert must cover (the VM's addresses).
Result<ValidatedMaterial> validate_material(const CertFiles& files, pki::TimePoint now,
                                            const std::vector<std::string>& extra_dns = {},
                                            const std::vector<std::string>& extra_ips = {});

}  // namespace phoenix::agent::apply
