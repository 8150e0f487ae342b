#pragma once
// Throwaway CAs and leaf certs for TLS tests, made with phoenix::pki.
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/usage.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <vector>

namespace phoenix::agent::engine::testing {

struct IssuedCert {
  std::string cert_pem;
  std::string key_pem;
};

class TestCa {
 public:
  explicit TestCa(const std::string& common_name);
  std::string cert_pem() const { return ca_.certificate().to_pem(); }
  IssuedCert issue(const std::string& common_name, std::vector<std::string> dns_names,
                   std::vector<std::string> ip_addresses, pki::Usage usage) const;

 private:
  pki::CertificateAuthority ca_;
};

// A TLS server context presenting `server`, trusting `client_ca_pem`, and requiring a
// client certificate that chains to it (what dockerd's tlsverify does).
std::shared_ptr<boost::asio::ssl::context> mtls_server_context(const IssuedCert& server,
                                                               const std::string& client_ca_pem);

}  // namespace phoenix::agent::engine::testing
