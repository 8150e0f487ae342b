#include "agent/channel/local_client_ca.hpp"

#include "agent/channel/docker_rotation.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/chain_verifier.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

using namespace std::chrono_literals;

std::vector<pki::Certificate> bundle(const std::string& pem) { return pki::certificates_from_pem(pem).value(); }

TEST(LocalClientCaTest, EachVmsClientCertIsAcceptedByItsOwnBundleOnly) {
  const auto now = std::chrono::system_clock::now();
  const auto operators = pki::CertificateAuthority::create("operators", 24h * 365).value();
  const auto vm1_requests = make_rotation_requests("vm1", "").value();
  const auto vm2_requests = make_rotation_requests("vm2", "").value();
  const auto vm1 = make_local_client("vm1", vm1_requests.client_csr_pem, operators.certificate().to_pem(), now + 24h * 90, now);
  const auto vm2 = make_local_client("vm2", vm2_requests.client_csr_pem, operators.certificate().to_pem(), now + 24h * 90, now);
  ASSERT_TRUE(vm1) << vm1.error().to_string();
  ASSERT_TRUE(vm2) << vm2.error().to_string();

  const auto vm1_cert = pki::Certificate::from_pem(vm1->client_cert_pem).value();
  EXPECT_EQ(vm1_cert.facts().subject_cn, "vm1");
  EXPECT_TRUE(pki::verify_chain(vm1_cert, bundle(vm1->client_ca_pem), pki::Usage::client_auth, now));
  // vm2's dockerd trusts vm2's one-use CA and the operators': vm1's cert is unknown there.
  const auto refused = pki::verify_chain(vm1_cert, bundle(vm2->client_ca_pem), pki::Usage::client_auth, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "unknown_ca");
  // Both bundles carry the operators' CA after the VM's own.
  ASSERT_EQ(bundle(vm1->client_ca_pem).size(), 2u);
  EXPECT_EQ(bundle(vm1->client_ca_pem)[1].to_pem(), operators.certificate().to_pem());
  // Not a server cert: the client cert cannot serve TLS for anyone.
  EXPECT_FALSE(pki::verify_chain(vm1_cert, bundle(vm1->client_ca_pem), pki::Usage::server_auth, now));
}

TEST(LocalClientCaTest, TheClientCertEndsWithTheServerCert) {
  const auto now = std::chrono::system_clock::now();
  const auto requests = make_rotation_requests("vm1", "").value();
  const auto material = make_local_client("vm1", requests.client_csr_pem, "", now + 24h * 30, now).value();
  const auto facts = pki::Certificate::from_pem(material.client_cert_pem).value().facts();
  EXPECT_LE(facts.not_after, now + 24h * 30);
  EXPECT_GE(facts.not_after, now + 24h * 30 - 1s * 2);
  EXPECT_EQ(bundle(material.client_ca_pem).size(), 1u);  // no operators' CA from an older hub
}

TEST(LocalClientCaTest, RefusesANameThatIsNotTheVmsAndBadOperatorPem) {
  const auto now = std::chrono::system_clock::now();
  const auto requests = make_rotation_requests("vm2", "").value();
  EXPECT_FALSE(make_local_client("vm1", requests.client_csr_pem, "", now + 24h, now));
  const auto own = make_rotation_requests("vm1", "").value();
  const auto bad = make_local_client("vm1", own.client_csr_pem, "not pem", now + 24h, now);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "invalid_answer");
  EXPECT_FALSE(make_local_client("vm1", own.client_csr_pem, "", now - 1h, now));
}

}  // namespace
}  // namespace phoenix::agent
