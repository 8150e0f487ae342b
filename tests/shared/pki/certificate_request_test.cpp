#include "shared/pki/certificate_request.hpp"

#include "shared/pki/error_codes.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using test::der_to_pem;
using test::pem_to_der;

TEST(CertificateRequest, CreateRecordsCanonicalNamesAndKey) {
  PrivateKey key = PrivateKey::generate_p256().value();
  auto request = CertificateRequest::create(key, "vm-01", {"LocalHost", "vm-01.fleet"},
                                            {"127.0.0.1", "0:0::1"});
  ASSERT_TRUE(request) << request.error().to_string();
  CsrFacts facts = request->facts();
  EXPECT_EQ(facts.common_name, "vm-01");
  EXPECT_EQ(facts.common_name_count, 1u);
  EXPECT_EQ(facts.dns_names, (std::vector<std::string>{"localhost", "vm-01.fleet"}));
  EXPECT_EQ(facts.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_TRUE(facts.other_names.empty());
  EXPECT_FALSE(facts.malformed_extensions);
  EXPECT_EQ(facts.key.type, KeyType::ec_p256);
  EXPECT_TRUE(request->verify_signature());
}

TEST(CertificateRequest, PemRoundTrip) {
  PrivateKey key = PrivateKey::generate_p256().value();
  auto request = CertificateRequest::create(key, "agent", {}, {}).value();
  std::string pem = request.to_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0), 0u);
  auto parsed = CertificateRequest::from_pem(pem);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->to_pem(), pem);
  EXPECT_EQ(parsed->facts().common_name, "agent");
  EXPECT_TRUE(parsed->facts().dns_names.empty());
}

TEST(CertificateRequest, TamperedSubjectFailsSignature) {
  PrivateKey key = PrivateKey::generate_p256().value();
  std::string der = pem_to_der(CertificateRequest::create(key, "agent-1", {}, {}).value().to_pem());
  auto at = der.find("agent-1");
  ASSERT_NE(at, std::string::npos);
  der[at + 6] = '2';  // same length, so it still parses: only the signature can tell
  auto parsed = CertificateRequest::from_pem(der_to_pem("CERTIFICATE REQUEST", der));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, errc::bad_csr_signature);
}

TEST(CertificateRequest, FlippedSignatureByteFails) {
  PrivateKey key = PrivateKey::generate_p256().value();
  std::string der = pem_to_der(CertificateRequest::create(key, "agent-1", {}, {}).value().to_pem());
  der.back() = static_cast<char>(der.back() ^ 0x01);
  auto parsed = CertificateRequest::from_pem(der_to_pem("CERTIFICATE REQUEST", der));
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, errc::bad_csr_signature);
}

TEST(CertificateRequest, GarbageIsInvalidPem) {
  for (std::string bad : {std::string("hello"), der_to_pem("CERTIFICATE REQUEST", "junk"),
                          der_to_pem("CERTIFICATE", "junk")}) {
    auto parsed = CertificateRequest::from_pem(bad);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, errc::invalid_pem);
  }
}

TEST(CertificateRequest, CreateRefusesMalformedNames) {
  PrivateKey key = PrivateKey::generate_p256().value();
  EXPECT_EQ(CertificateRequest::create(key, "", {}, {}).error().code, errc::invalid_name);
  EXPECT_EQ(CertificateRequest::create(key, "vm", {"bad name"}, {}).error().code,
            errc::invalid_name);
  EXPECT_EQ(CertificateRequest::create(key, "vm", {}, {"300.0.0.1"}).error().code,
            errc::invalid_ip);
}

}  // namespace
}  // namespace phoenix::pki
