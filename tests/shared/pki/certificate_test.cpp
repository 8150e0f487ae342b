#include "shared/pki/certificate.hpp"

#include "shared/pki/digest.hpp"
#include "shared/pki/error_codes.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using namespace std::chrono;
using test::issue;
using test::make_ca;
using test::policy_for;

class CertificateTest : public ::testing::Test {
 protected:
  TimePoint now = time_point_cast<seconds>(system_clock::now());
  CertificateAuthority ca = make_ca("Phoenix Docker CA", now);
};

TEST_F(CertificateTest, LeafFactsDescribeWhatWasIssued) {
  auto policy = policy_for("vm-01", Usage::server_auth, {"localhost", "vm-01"},
                           {"127.0.0.1", "::1", "10.0.0.7"});
  CertFacts facts = issue(ca, policy, now).certificate.facts();
  EXPECT_EQ(facts.subject_cn, "vm-01");
  EXPECT_EQ(facts.issuer_cn, "Phoenix Docker CA");
  EXPECT_EQ(facts.dns_names, (std::vector<std::string>{"localhost", "vm-01"}));
  // std::set order of the policy: "10.0.0.7" < "127.0.0.1" < "::1".
  EXPECT_EQ(facts.ip_addresses, (std::vector<std::string>{"10.0.0.7", "127.0.0.1", "::1"}));
  EXPECT_FALSE(facts.is_ca);
  EXPECT_TRUE(facts.has_extended_key_usage);
  EXPECT_EQ(facts.extended_key_usages, std::vector<Usage>{Usage::server_auth});
  EXPECT_TRUE(facts.has_usage(Usage::server_auth));
  EXPECT_FALSE(facts.has_usage(Usage::client_auth));
  EXPECT_EQ(facts.not_before, now - minutes{5});
  EXPECT_EQ(facts.not_after, now + hours{24 * 7});
  EXPECT_EQ(facts.public_key.type, KeyType::ec_p256);
}

TEST_F(CertificateTest, SerialIsUppercaseHexAndUnique) {
  auto policy = policy_for("agent", Usage::client_auth);
  std::string first = issue(ca, policy, now).certificate.facts().serial_hex;
  std::string second = issue(ca, policy, now).certificate.facts().serial_hex;
  EXPECT_NE(first, second);
  EXPECT_GE(first.size(), 24u);  // 128 random bits; leading zero bytes are rare
  EXPECT_LE(first.size(), 32u);
  EXPECT_EQ(first.find_first_not_of("0123456789ABCDEF"), std::string::npos) << first;
}

TEST_F(CertificateTest, FingerprintIsSha256OfDer) {
  Certificate cert = issue(ca, policy_for("agent", Usage::client_auth), now).certificate;
  CertFacts facts = cert.facts();
  EXPECT_EQ(facts.sha256_fingerprint, sha256_hex(cert.to_der()));
  EXPECT_EQ(facts.sha256_fingerprint, sha256_hex(test::pem_to_der(cert.to_pem())));
  EXPECT_EQ(facts.sha256_fingerprint.size(), 64u);
  EXPECT_EQ(facts.sha256_fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(CertificateTest, PemAndDerRoundTrip) {
  Certificate cert = issue(ca, policy_for("agent", Usage::client_auth), now).certificate;
  auto from_pem = Certificate::from_pem(cert.to_pem());
  ASSERT_TRUE(from_pem) << from_pem.error().to_string();
  EXPECT_EQ(from_pem->to_der(), cert.to_der());
  auto from_der = Certificate::from_der(cert.to_der());
  ASSERT_TRUE(from_der);
  EXPECT_EQ(from_der->facts().serial_hex, cert.facts().serial_hex);
}

TEST_F(CertificateTest, BundleRoundTripKeepsOrder) {
  Certificate leaf = issue(ca, policy_for("agent", Usage::client_auth), now).certificate;
  std::string bundle = certificates_to_pem({leaf, ca.certificate()});
  auto certs = certificates_from_pem(bundle);
  ASSERT_TRUE(certs) << certs.error().to_string();
  ASSERT_EQ(certs->size(), 2u);
  EXPECT_EQ((*certs)[0].facts().subject_cn, "agent");
  EXPECT_EQ((*certs)[1].facts().subject_cn, "Phoenix Docker CA");

  auto single = Certificate::from_pem(bundle);
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().code, errc::invalid_pem);
}

TEST_F(CertificateTest, GarbageAndWrongBlocksAreInvalidPem) {
  std::string der = ca.certificate().to_der();
  der[der.size() / 2] = static_cast<char>(der[der.size() / 2] ^ 0xFF);
  for (std::string bad : {std::string("garbage"), std::string(),
                          test::der_to_pem("CERTIFICATE", "not der"),
                          ca.key().to_pem(),
                          ca.certificate().to_pem() + ca.key().to_pem(),
                          test::der_to_pem("CERTIFICATE", ca.certificate().to_der() + "x")}) {
    auto cert = Certificate::from_pem(bad);
    ASSERT_FALSE(cert) << bad;
    EXPECT_EQ(cert.error().code, errc::invalid_pem) << bad;
    auto certs = certificates_from_pem(bad);
    ASSERT_FALSE(certs) << bad;
    EXPECT_EQ(certs.error().code, errc::invalid_pem);
  }
}

}  // namespace
}  // namespace phoenix::pki
