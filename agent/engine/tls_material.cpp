#include "agent/engine/tls_material.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace phoenix::agent::engine {
namespace ssl = boost::asio::ssl;

namespace {

Result<std::string> read_pem(const fs::FileSystem& files, const std::string& path, const char* what) {
  if (path.empty()) return std::string{};
  auto content = files.read_file(path);
  if (!content) {
    return make_error("invalid_tls_material", std::string("cannot read the ") + what + " file " +
                                                  path + ": " + content.error().message);
  }
  return std::move(*content);
}

Error material_error(const char* what, const boost::system::error_code& ec) {
  return make_error("invalid_tls_material",
                    std::string("the ") + what + " is not usable PEM: " + ec.message());
}

}  // namespace

Result<TlsMaterial> TlsMaterial::from_files(const fs::FileSystem& files, const std::string& ca_path,
                                            const std::string& cert_path,
                                            const std::string& key_path) {
  TlsMaterial out;
  auto ca = read_pem(files, ca_path, "CA bundle");
  if (!ca) return ca.error();
  auto cert = read_pem(files, cert_path, "client certificate");
  if (!cert) return cert.error();
  auto key = read_pem(files, key_path, "client key");
  if (!key) return key.error();
  out.ca_pem = std::move(*ca);
  out.cert_pem = std::move(*cert);
  out.key_pem = std::move(*key);
  return out;
}

Result<std::shared_ptr<ssl::context>> make_client_context(const TlsMaterial& tls,
                                                          bool verify_peer) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return make_error("invalid_tls_material", "OpenSSL refused TLS 1.2 as the minimum version");
  }
  boost::system::error_code ec;
  if (tls.ca_pem.empty() && verify_peer) {
    return make_error("invalid_tls_material", "no CA bundle given: cannot verify the server");
  }
  if (!tls.ca_pem.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(tls.ca_pem), ec);
    if (ec) return material_error("CA bundle", ec);
  }
  if (tls.cert_pem.empty() != tls.key_pem.empty()) {
    return make_error("invalid_tls_material",
                      "a client certificate needs its key and a key needs its certificate");
  }
  if (!tls.cert_pem.empty()) {
    ctx->use_certificate_chain(boost::asio::buffer(tls.cert_pem), ec);
    if (ec) return material_error("client certificate", ec);
    ctx->use_private_key(boost::asio::buffer(tls.key_pem), ssl::context::pem, ec);
    if (ec) return material_error("client key", ec);
    if (SSL_CTX_check_private_key(native) != 1) {
      ERR_clear_error();
      return make_error("invalid_tls_material", "the client key does not match the client certificate");
    }
  }
  ctx->set_verify_mode(verify_peer ? ssl::verify_peer : ssl::verify_none, ec);
  if (ec) return material_error("verify mode", ec);
  return ctx;
}

Result<void> prepare_peer_verification(SSL* ssl_handle, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);  // borrowed, owned by the SSL
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool ip_literal = !ec;
  if (ip_literal) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return make_error("invalid_tls_material", "cannot check the server cert against IP " + host);
    }
    return ok();
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1 ||
      SSL_set_tlsext_host_name(ssl_handle, host.c_str()) != 1) {
    return make_error("invalid_tls_material", "cannot check the server cert against name " + host);
  }
  return ok();
}

std::string describe_tls_failure(SSL* ssl_handle, const boost::system::error_code& ec) {
  std::string reason = ec.message();
  if (ssl_handle != nullptr) {
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) {
      reason += " (server certificate rejected: ";
      reason += X509_verify_cert_error_string(verify);
      reason += ")";
    }
  }
  return reason;
}

}  // namespace phoenix::agent::engine
