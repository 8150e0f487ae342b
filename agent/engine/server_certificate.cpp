#include "agent/engine/server_certificate.hpp"

#include "agent/engine/endpoint.hpp"
#include "agent/engine/transport.hpp"

#include <boost/asio/this_coro.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>
#include <optional>

namespace phoenix::agent::engine {
namespace net = boost::asio;
using detail::Step;

namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct OpensslFree {
  void operator()(char* p) const { OPENSSL_free(p); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

Result<PeerCertificate> describe(X509* cert) {
  PeerCertificate out;
  BioPtr pem(BIO_new(BIO_s_mem()));
  if (!pem || PEM_write_bio_X509(pem.get(), cert) != 1) {
    return make_error("invalid_certificate", "cannot encode the certificate as PEM");
  }
  out.pem = bio_text(pem.get());

  std::unique_ptr<BIGNUM, BnFree> serial(ASN1_INTEGER_to_BN(X509_get_serialNumber(cert), nullptr));
  std::unique_ptr<char, OpensslFree> serial_hex(serial ? BN_bn2hex(serial.get()) : nullptr);
  if (!serial_hex) return make_error("invalid_certificate", "the certificate has no readable serial");
  out.serial_hex = serial_hex.get();

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) {
    return make_error("invalid_certificate", "cannot hash the certificate");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    out.sha256_fingerprint += kHex[digest[i] >> 4];
    out.sha256_fingerprint += kHex[digest[i] & 0xf];
  }

  BioPtr subject(BIO_new(BIO_s_mem()));
  if (subject && X509_NAME_print_ex(subject.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    out.subject = bio_text(subject.get());
  }

  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) {
    return make_error("invalid_certificate", "the certificate's notAfter is unreadable");
  }
  out.not_after = std::chrono::system_clock::from_time_t(timegm(&tm));
  return out;
}

struct Probe {
  std::string host;
  std::uint16_t port;
  std::string where;
  Step step = Step::connect;
  std::optional<Result<PeerCertificate>> outcome;
};

net::awaitable<void> run_probe(net::ssl::context& context, Probe& probe) {
  net::ssl::stream<net::ip::tcp::socket> stream(co_await net::this_coro::executor, context);
  auto connected = co_await detail::connect_tcp(stream.next_layer(), probe.host, probe.port, probe.where);
  if (!connected) {
    probe.outcome = connected.error();
    co_return;
  }
  probe.step = Step::tls_handshake;
  auto handshake = co_await detail::handshake_tls(stream, probe.host, probe.where);
  if (!handshake) {
    probe.outcome = handshake.error();
    co_return;
  }
  X509Ptr peer(SSL_get1_peer_certificate(stream.native_handle()));
  if (!peer) {
    probe.outcome = make_error("tls_handshake_failed", probe.where + " presented no certificate");
    co_return;
  }
  probe.outcome = describe(peer.get());
}

}  // namespace

Result<PeerCertificate> fetch_server_certificate(const std::string& host, std::uint16_t port,
                                                 const TlsMaterial& tls,
                                                 CertificateProbeOptions options) {
  auto context = make_client_context(tls, options.verify_peer);
  if (!context) return context.error();
  Probe probe{host, port, describe(Endpoint(TlsEndpoint{host, port, {}})), Step::connect, std::nullopt};
  net::io_context ioc;
  const bool finished = detail::run_with_deadline(ioc, run_probe(**context, probe), options.timeout);
  if (!finished || !probe.outcome) return detail::timeout_error(probe.where, probe.step, options.timeout);
  return std::move(*probe.outcome);
}

Result<PeerCertificate> describe_certificate_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return make_error("invalid_certificate", "the text is not a PEM certificate");
  return describe(cert.get());
}

}  // namespace phoenix::agent::engine
