#include "agent/channel/tls_client.hpp"

#include "shared/pki/openssl_ptr.hpp"

#include <openssl/x509v3.h>

namespace phoenix::agent {
namespace ssl = boost::asio::ssl;
namespace {

Error tls_config(const std::string& what) {
  const auto detail = pki::drain_openssl_errors();
  return make_error("tls_config", what + (detail.empty() ? "" : ": " + detail));
}

Result<std::shared_ptr<ssl::context>> base_context() {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | SSL_OP_NO_TICKET |
                   SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return tls_config("the TLS library refused TLS 1.2 as the minimum");
  }
  // Idle channels give their buffers back.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_enroll_tls_context() {
  auto ctx = base_context();
  if (!ctx) return ctx;
  (*ctx)->set_verify_mode(ssl::verify_none);  // judged by check_pinned_chain after the handshake
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_channel_tls_context(const IdentityFiles& identity) {
  auto made = base_context();
  if (!made) return made;
  auto ctx = *made;
  SSL_CTX* native = ctx->native_handle();
  auto ca = pki::Certificate::from_pem(identity.ca_pem);
  if (!ca) return make_error("tls_config", "identity/ca.pem: " + ca.error().message);
  // The identity CA is the only trust anchor: no system roots.
  if (X509_STORE_add_cert(SSL_CTX_get_cert_store(native), ca->native()) != 1) {
    return tls_config("could not trust identity/ca.pem");
  }
  if (SSL_CTX_set_purpose(native, X509_PURPOSE_SSL_SERVER) != 1) {
    return tls_config("could not require the sslserver purpose");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(identity.cert_pem), ec);
  if (ec) return tls_config("identity/cert.pem is not usable");
  ctx->use_private_key(boost::asio::buffer(identity.key_pem), ssl::context::pem, ec);
  if (ec) return tls_config("identity/key.pem is not usable");
  if (SSL_CTX_check_private_key(native) != 1) {
    return tls_config("identity/key.pem does not belong to identity/cert.pem");
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

Result<void> prepare_tls_stream(SSL* ssl, const HubAddress& hub, bool verify_host) {
  if (!hub.host_is_ip && SSL_set_tlsext_host_name(ssl, hub.host.c_str()) != 1) {
    return tls_config("could not set the TLS server name");
  }
  if (!verify_host) return ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  const int set = hub.host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, hub.host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, hub.host.c_str(), hub.host.size());
  if (set != 1) return tls_config("could not set the host to verify (" + hub.host + ")");
  return ok();
}

std::vector<pki::Certificate> presented_chain(SSL* ssl) {
  std::vector<pki::Certificate> out;
  // Borrowed stack (not a get1): copy each certificate out through its DER.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  if (chain == nullptr) return out;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    unsigned char* der = nullptr;
    const int length = i2d_X509(cert, &der);
    if (length <= 0) continue;
    pki::OpenSslBytesPtr owned(der);
    auto parsed = pki::Certificate::from_der(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(length)));
    if (parsed) out.push_back(std::move(*parsed));
  }
  pki::drain_openssl_errors();
  return out;
}

}  // namespace phoenix::agent
