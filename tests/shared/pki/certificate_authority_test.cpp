#include "shared/pki/certificate_authority.hpp"

#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/error_codes.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <openssl/x509v3.h>

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using namespace std::chrono;
using test::issue;
using test::make_ca;
using test::policy_for;

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  TimePoint now = time_point_cast<seconds>(system_clock::now());
  CertificateAuthority ca = make_ca("Phoenix Identity CA", now);
  PrivateKey agent_key = PrivateKey::generate_p256().value();

  CertificateRequest request(const std::string& cn, std::vector<std::string> dns = {},
                             std::vector<std::string> ips = {}) {
    return CertificateRequest::create(agent_key, cn, std::move(dns), std::move(ips)).value();
  }
};

TEST_F(CertificateAuthorityTest, CreateMakesASelfSignedP256Ca) {
  CertFacts facts = ca.certificate().facts();
  EXPECT_TRUE(facts.is_ca);
  EXPECT_EQ(facts.subject_cn, "Phoenix Identity CA");
  EXPECT_EQ(facts.issuer_cn, "Phoenix Identity CA");
  EXPECT_EQ(facts.public_key.type, KeyType::ec_p256);
  EXPECT_EQ(facts.not_before, now - minutes{5});
  EXPECT_EQ(facts.not_after, now + hours{24 * 365});
  X509* x = ca.certificate().native();
  EXPECT_NE(X509_get_key_usage(x) & KU_KEY_CERT_SIGN, 0u);
  EXPECT_NE(X509_get_key_usage(x) & KU_CRL_SIGN, 0u);
  EXPECT_NE(X509_get0_subject_key_id(x), nullptr);
  int critical = -1;
  BASIC_CONSTRAINTS* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x, NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_EQ(critical, 1);
  BASIC_CONSTRAINTS_free(constraints);
  EXPECT_TRUE(check_key_matches(ca.certificate(), ca.key()));
}

TEST_F(CertificateAuthorityTest, CreateRefusesBadInput) {
  EXPECT_EQ(CertificateAuthority::create("", hours{1}).error().code, errc::invalid_name);
  EXPECT_EQ(CertificateAuthority::create("ca", seconds{0}).error().code, errc::invalid_policy);
}

TEST_F(CertificateAuthorityTest, LoadRoundTripsAndStillSigns) {
  auto loaded = CertificateAuthority::load(ca.certificate().to_pem(), ca.key().to_pem());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->certificate().facts().sha256_fingerprint,
            ca.certificate().facts().sha256_fingerprint);
  auto leaf = loaded->sign(request("agent-1"), policy_for("agent-1", Usage::client_auth), now);
  ASSERT_TRUE(leaf) << leaf.error().to_string();
  EXPECT_TRUE(verify_chain(*leaf, {ca.certificate()}, Usage::client_auth, now));
}

TEST_F(CertificateAuthorityTest, LoadRefusesAMismatchedKey) {
  auto loaded = CertificateAuthority::load(ca.certificate().to_pem(), agent_key.to_pem());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, errc::key_mismatch);
}

TEST_F(CertificateAuthorityTest, LoadRefusesALeaf) {
  auto leaf = issue(ca, policy_for("vm-01", Usage::server_auth), now);
  auto loaded = CertificateAuthority::load(leaf.certificate.to_pem(), leaf.key.to_pem());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, errc::not_a_ca);
}

TEST_F(CertificateAuthorityTest, LoadAcceptsAnOperatorCaWithTheNeededExtensions) {
  PrivateKey key = PrivateKey::generate_p256().value();
  Certificate cert = test::handmade_ca(key, true);
  auto loaded = CertificateAuthority::load(cert.to_pem(), key.to_pem());
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  auto leaf = loaded->sign(request("agent-1"), policy_for("agent-1", Usage::client_auth));
  ASSERT_TRUE(leaf) << leaf.error().to_string();
  EXPECT_TRUE(verify_chain(*leaf, {cert}, Usage::client_auth));
}

TEST_F(CertificateAuthorityTest, LoadRefusesACaWithoutSubjectKeyId) {
  PrivateKey key = PrivateKey::generate_p256().value();
  auto loaded = CertificateAuthority::load(test::handmade_ca(key, false).to_pem(), key.to_pem());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, errc::unsupported_ca);
}

TEST_F(CertificateAuthorityTest, LoadRefusesANonP256CaKey) {
  PrivateKey key(EvpPkeyPtr(EVP_EC_gen("P-384")));
  auto loaded = CertificateAuthority::load(test::handmade_ca(key, true).to_pem(), key.to_pem());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, errc::wrong_key_type);
}

TEST_F(CertificateAuthorityTest, LoadRefusesGarbage) {
  EXPECT_EQ(CertificateAuthority::load("junk", ca.key().to_pem()).error().code, errc::invalid_pem);
  EXPECT_EQ(CertificateAuthority::load(ca.certificate().to_pem(), "junk").error().code,
            errc::invalid_pem);
}

TEST_F(CertificateAuthorityTest, SignedLeafCarriesOnlyThePolicysUsage) {
  auto leaf = ca.sign(request("vm-01", {"localhost"}, {"127.0.0.1"}),
                      policy_for("vm-01", Usage::server_auth, {"localhost"}, {"127.0.0.1"}), now);
  ASSERT_TRUE(leaf) << leaf.error().to_string();
  CertFacts facts = leaf->facts();
  EXPECT_EQ(facts.extended_key_usages, std::vector<Usage>{Usage::server_auth});
  EXPECT_FALSE(facts.is_ca);
  EXPECT_EQ(facts.dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(facts.ip_addresses, std::vector<std::string>{"127.0.0.1"});
  X509* x = leaf->native();
  EXPECT_EQ(X509_get_key_usage(x), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_NE(X509_get0_authority_key_id(x), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
                                  X509_get0_subject_key_id(ca.certificate().native())),
            0);
  EXPECT_TRUE(check_key_matches(*leaf, agent_key));
}

TEST_F(CertificateAuthorityTest, RefusesACsrClaimingAnotherCommonName) {
  auto leaf = ca.sign(request("hub"), policy_for("agent-1", Usage::client_auth), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::name_not_allowed);
  EXPECT_NE(leaf.error().message.find("'hub'"), std::string::npos);
}

TEST_F(CertificateAuthorityTest, RefusesACsrClaimingAnExtraDnsName) {
  auto leaf = ca.sign(request("vm-01", {"localhost", "hub.fleet"}),
                      policy_for("vm-01", Usage::server_auth, {"localhost"}), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::name_not_allowed);
  EXPECT_NE(leaf.error().message.find("hub.fleet"), std::string::npos);
}

TEST_F(CertificateAuthorityTest, RefusesACsrClaimingAnExtraIp) {
  auto leaf = ca.sign(request("vm-01", {}, {"127.0.0.1", "10.1.2.3"}),
                      policy_for("vm-01", Usage::server_auth, {}, {"127.0.0.1"}), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::name_not_allowed);
  EXPECT_NE(leaf.error().message.find("10.1.2.3"), std::string::npos);
}

TEST_F(CertificateAuthorityTest, RefusesACsrWithAUriSan) {
  auto csr = CertificateRequest::from_pem(
      test::handmade_csr_pem(agent_key, {{"CN", "vm-01"}}, "DNS:localhost,URI:spiffe://fleet/hub"));
  ASSERT_TRUE(csr) << csr.error().to_string();
  EXPECT_EQ(csr->facts().other_names, std::vector<std::string>{"URI:spiffe://fleet/hub"});
  auto leaf = ca.sign(*csr, policy_for("vm-01", Usage::server_auth, {"localhost"}), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::name_not_allowed);
  EXPECT_NE(leaf.error().message.find("spiffe://fleet/hub"), std::string::npos);
}

TEST_F(CertificateAuthorityTest, RefusesACsrWithTwoCommonNames) {
  auto csr = CertificateRequest::from_pem(
      test::handmade_csr_pem(agent_key, {{"CN", "agent-1"}, {"CN", "hub"}}, ""));
  ASSERT_TRUE(csr);
  auto leaf = ca.sign(*csr, policy_for("agent-1", Usage::client_auth), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::name_not_allowed);
}

TEST_F(CertificateAuthorityTest, IssuedSubjectHoldsOnlyThePolicyCommonName) {
  // Extra subject entries (a Kubernetes-style "O=system:masters") never reach the cert.
  auto csr = CertificateRequest::from_pem(
      test::handmade_csr_pem(agent_key, {{"O", "system:masters"}, {"CN", "agent-1"}}, ""));
  ASSERT_TRUE(csr);
  auto leaf = ca.sign(*csr, policy_for("agent-1", Usage::client_auth), now);
  ASSERT_TRUE(leaf) << leaf.error().to_string();
  X509_NAME* subject = X509_get_subject_name(leaf->native());
  EXPECT_EQ(X509_NAME_entry_count(subject), 1);
  EXPECT_EQ(leaf->facts().subject_cn, "agent-1");
}

TEST_F(CertificateAuthorityTest, RefusesANonP256CsrKey) {
  PrivateKey p384(EvpPkeyPtr(EVP_EC_gen("P-384")));
  auto csr = CertificateRequest::create(p384, "agent-1", {}, {}).value();
  auto leaf = ca.sign(csr, policy_for("agent-1", Usage::client_auth), now);
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::wrong_key_type);
}

TEST_F(CertificateAuthorityTest, LeafLifetimeIsCutAtTheCaExpiry) {
  auto policy = policy_for("agent-1", Usage::client_auth);
  policy.lifetime = hours{24 * 365 * 3};
  auto leaf = ca.sign(request("agent-1"), policy, now);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(leaf->facts().not_after, ca.certificate().facts().not_after);
}

TEST_F(CertificateAuthorityTest, RefusesToSignWithAnExpiredCa) {
  auto leaf = ca.sign(request("agent-1"), policy_for("agent-1", Usage::client_auth),
                      now + hours{24 * 366});
  ASSERT_FALSE(leaf);
  EXPECT_EQ(leaf.error().code, errc::ca_expired);
}

}  // namespace
}  // namespace phoenix::pki
