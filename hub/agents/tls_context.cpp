#include "hub/agents/tls_context.hpp"

#include "shared/pki/certificate.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <openssl/ssl.h>

namespace phoenix::hub {
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites with forward secrecy and AEAD only. TLS 1.3 suites always use an
// ephemeral key exchange; the groups list keeps it to elliptic curves.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";

Error tls_config(const std::string& what) {
  std::string detail = pki::drain_openssl_errors();
  return make_error("tls_config", what + (detail.empty() ? "" : ": " + detail));
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_agent_tls_context(const AgentEndpointConfig& config) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
                   SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 ||
      SSL_CTX_set1_groups_list(native, kGroups) != 1) {
    return tls_config("the TLS library refused the protocol/cipher settings");
  }
  // Resumed sessions would skip the client cert check; every connection verifies afresh.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 0);
  // Idle channels give their read/write buffers back: at 10k agents that is most of the
  // per-connection memory.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(config.server_cert_chain_pem), ec);
  if (ec) return tls_config("the endpoint's certificate chain PEM is not usable");
  ctx->use_private_key(boost::asio::buffer(config.server_key_pem), ssl::context::pem, ec);
  if (ec) return tls_config("the endpoint's private key PEM is not usable");
  if (SSL_CTX_check_private_key(native) != 1) {
    return tls_config("the endpoint's private key does not belong to its certificate");
  }

  // Trust for client certs: the identity CA and nothing else (no system roots).
  auto ca = pki::Certificate::from_pem(config.identity_ca_cert_pem);
  if (!ca) return make_error("tls_config", "identity CA certificate: " + ca.error().message);
  X509_STORE* store = SSL_CTX_get_cert_store(native);
  if (X509_STORE_add_cert(store, ca->native()) != 1) {
    return tls_config("could not add the identity CA to the trust store");
  }
  // Tell clients which CA we accept, so they pick the right certificate.
  if (SSL_CTX_add_client_CA(native, ca->native()) != 1) {
    return tls_config("could not announce the identity CA to clients");
  }
  if (SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_CLIENT) != 1) {
    return tls_config("could not require the sslclient purpose");
  }
  // verify_peer without fail_if_no_peer_cert: a presented cert must verify; none is allowed.
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace phoenix::hub
