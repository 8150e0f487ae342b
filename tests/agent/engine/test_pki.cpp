#include "tests/agent/engine/test_pki.hpp"

#include "shared/pki/certificate_request.hpp"
#include "shared/pki/private_key.hpp"
#include "shared/pki/signing_policy.hpp"

#include <boost/asio/buffer.hpp>

#include <chrono>

namespace phoenix::agent::engine::testing {

TestCa::TestCa(const std::string& common_name)
    : ca_(pki::CertificateAuthority::create(common_name, std::chrono::hours(24)).value()) {}

IssuedCert TestCa::issue(const std::string& common_name, std::vector<std::string> dns_names,
                         std::vector<std::string> ip_addresses, pki::Usage usage) const {
  auto key = pki::PrivateKey::generate_p256().value();
  pki::SigningPolicy policy;
  policy.common_name = common_name;
  policy.dns_names = {dns_names.begin(), dns_names.end()};
  policy.ip_addresses = {ip_addresses.begin(), ip_addresses.end()};
  policy.usage = usage;
  policy.lifetime = std::chrono::hours(1);
  auto request = pki::CertificateRequest::create(key, common_name, std::move(dns_names),
                                                 std::move(ip_addresses)).value();
  auto cert = ca_.sign(request, policy).value();
  return IssuedCert{cert.to_pem(), key.to_pem()};
}

std::shared_ptr<boost::asio::ssl::context> mtls_server_context(const IssuedCert& server,
                                                               const std::string& client_ca_pem) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain(boost::asio::buffer(server.cert_pem));
  ctx->use_private_key(boost::asio::buffer(server.key_pem), ssl::context::pem);
  ctx->add_certificate_authority(boost::asio::buffer(client_ca_pem));
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  return ctx;
}

}  // namespace phoenix::agent::engine::testing
