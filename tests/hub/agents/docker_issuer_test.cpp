#include "hub/agents/docker_issuer.hpp"

#include "shared/pki/certificate_request.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/private_key.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

class DockerIssuerTest : public ::testing::Test {
 protected:
  pki::CertificateAuthority ca = pki::CertificateAuthority::create("test docker CA", 24h * 365).value();
  DockerIssuer issuer{pki::CertificateAuthority::load(ca.certificate().to_pem(), ca.key().to_pem()).value(),
                      24h * 90};

  static std::string csr(const std::string& cn, std::vector<std::string> dns, std::vector<std::string> ips) {
    auto key = pki::PrivateKey::generate_p256().value();
    return pki::CertificateRequest::create(key, cn, std::move(dns), std::move(ips)).value().to_pem();
  }
};

TEST_F(DockerIssuerTest, SignsAServerCertForTheVmsNamesAndTheChannelsAddress) {
  const auto cert = issuer.issue(DockerCertKind::server,
                                 csr("vm1", {"vm1", "localhost"}, {"127.0.0.1", "::1", "10.77.0.11"}), "vm1",
                                 "10.77.0.11", std::chrono::system_clock::now());
  ASSERT_TRUE(cert) << cert.error().to_string();
  const auto facts = cert->facts();
  EXPECT_EQ(facts.subject_cn, "vm1");
  EXPECT_TRUE(facts.has_usage(pki::Usage::server_auth));
  EXPECT_FALSE(facts.has_usage(pki::Usage::client_auth));
  EXPECT_TRUE(pki::verify_chain(*cert, {ca.certificate()}, pki::Usage::server_auth));
  EXPECT_GE(facts.not_after - facts.not_before, 24h * 89);
}

TEST_F(DockerIssuerTest, SignsAClientCertWithoutNames) {
  const auto cert = issuer.issue(DockerCertKind::client, csr("vm1", {}, {}), "vm1", "", std::chrono::system_clock::now());
  ASSERT_TRUE(cert) << cert.error().to_string();
  EXPECT_TRUE(cert->facts().has_usage(pki::Usage::client_auth));
  EXPECT_FALSE(cert->facts().has_usage(pki::Usage::server_auth));
}

TEST_F(DockerIssuerTest, RefusesNamesOutsideThePolicy) {
  const auto now = std::chrono::system_clock::now();
  const struct {
    DockerCertKind kind;
    std::string csr;
    const char* why;
  } cases[] = {
      {DockerCertKind::server, csr("vm2", {"vm2"}, {}), "another VM's CN"},
      {DockerCertKind::server, csr("vm1", {"hub.example"}, {}), "a foreign DNS name"},
      {DockerCertKind::server, csr("vm1", {"vm1"}, {"10.0.0.9"}), "an address the channel does not come from"},
      {DockerCertKind::client, csr("vm1", {"vm1"}, {}), "a client cert with SANs"},
  };
  for (const auto& c : cases) {
    const auto cert = issuer.issue(c.kind, c.csr, "vm1", "10.77.0.11", now);
    ASSERT_FALSE(cert) << c.why;
    EXPECT_EQ(cert.error().code, "name_not_allowed") << c.why << ": " << cert.error().to_string();
  }
  const auto garbage = issuer.issue(DockerCertKind::server, "not a csr", "vm1", "", now);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, "invalid_request");
}

}  // namespace
}  // namespace phoenix::hub
