#pragma once
// The PEM material for a mutual-TLS client (CA bundle, client cert chain, key), and the
// OpenSSL set-up that verifies dockerd like the docker CLI does: verify_peer against the
// bundle only, TLS 1.2 minimum, host checked against the server cert's SANs.
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace phoenix::agent::engine {

struct TlsMaterial {
  std::string ca_pem;    // one or more CA certificates; the only trust anchors used
  std::string cert_pem;  // client certificate (optionally followed by its chain); "" = none
  std::string key_pem;   // client private key; required iff cert_pem is set

  // Reads the three PEM files (cert/key paths may be "" for a client without a cert).
  static Result<TlsMaterial> from_files(const fs::FileSystem& files, const std::string& ca_path,
                                        const std::string& cert_path, const std::string& key_path);
};

// An SSL context for a client: errors "invalid_tls_material" name which part is wrong.
// verify_peer=false (certificate probes only) makes the CA bundle optional.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_context(const TlsMaterial& tls,
                                                                        bool verify_peer = true);

// Per-connection set-up before the handshake: an IP literal is checked against IP SANs
// (no SNI, as RFC 6066 forbids it); a DNS name gets SNI and a DNS-SAN check.
Result<void> prepare_peer_verification(SSL* ssl, const std::string& host);

// Readable reason for a failed handshake, using the certificate verify result when the
// failure was ours ("unable to get local issuer certificate", "IP address mismatch").
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace phoenix::agent::engine
