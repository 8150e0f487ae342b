// parse_enroll_request and the identity policy: what an enrollment request may contain.
#include "hub/agents/enrollment_handler.hpp"
#include "hub/agents/identity_issuer.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

const std::string kSecret(64, 'a');

std::string body(const nlohmann::json& json) { return json.dump(); }

TEST(ParseEnrollRequest, AcceptsAWellFormedRequest) {
  auto request = parse_enroll_request(body({{"token_secret", kSecret}, {"vm", "vm1"}, {"csr", "PEM"}}));
  ASSERT_TRUE(request);
  EXPECT_EQ(request->vm, "vm1");
  EXPECT_EQ(request->csr_pem, "PEM");
}

TEST(ParseEnrollRequest, RefusesMalformedBodies) {
  for (const std::string& text : {std::string("not json"), std::string("[]"),
                                  body({{"vm", "vm1"}, {"csr", "PEM"}}),
                                  body({{"token_secret", kSecret}, {"vm", 7}, {"csr", "PEM"}}),
                                  body({{"token_secret", "ABC"}, {"vm", "vm1"}, {"csr", "PEM"}}),
                                  body({{"token_secret", kSecret}, {"vm", "bad name!"}, {"csr", "PEM"}}),
                                  body({{"token_secret", kSecret}, {"vm", "vm1"}, {"csr", ""}}),
                                  body({{"token_secret", kSecret}, {"vm", "vm1"}, {"csr", "PEM"}, {"x", "y"}})}) {
    auto request = parse_enroll_request(text);
    ASSERT_FALSE(request) << text;
    EXPECT_EQ(request.error().code, "invalid_request") << text;
  }
}

TEST(ParseEnrollRequest, RefusesAnOversizedCsr) {
  auto request = parse_enroll_request(
      body({{"token_secret", kSecret}, {"vm", "vm1"}, {"csr", std::string(kMaxCsrPemBytes + 1, 'x')}}));
  ASSERT_FALSE(request);
}

TEST(IdentityPolicy, AllowsOnlyTheVmNameForClientAuth) {
  auto policy = identity_policy("vm1", std::chrono::hours{24});
  EXPECT_EQ(policy.common_name, "vm1");
  EXPECT_EQ(policy.dns_names, std::set<std::string>{"vm1"});
  EXPECT_TRUE(policy.ip_addresses.empty());
  EXPECT_EQ(policy.usage, pki::Usage::client_auth);
  EXPECT_TRUE(policy.require_p256);
}

class IdentityIssuerTest : public ::testing::Test {
 protected:
  IdentityIssuer issuer{pki::CertificateAuthority::create("Test CA", std::chrono::hours{48}).value(),
                        std::chrono::hours{24 * 7}};
  static std::string csr(const std::string& cn, std::vector<std::string> dns = {},
                         std::vector<std::string> ips = {}) {
    auto key = pki::PrivateKey::generate_p256().value();
    return pki::CertificateRequest::create(key, cn, std::move(dns), std::move(ips)).value().to_pem();
  }
};

TEST_F(IdentityIssuerTest, SignsTheVmsOwnName) {
  auto cert = issuer.issue(csr("vm1", {"vm1"}), "vm1", std::chrono::system_clock::now());
  ASSERT_TRUE(cert) << cert.error().to_string();
  EXPECT_EQ(cert->facts().subject_cn, "vm1");
  EXPECT_TRUE(cert->facts().has_usage(pki::Usage::client_auth));
}

TEST_F(IdentityIssuerTest, RefusesOtherNamesAndGarbage) {
  EXPECT_EQ(issuer.check(csr("vm2"), "vm1").error().code, "name_not_allowed");
  EXPECT_EQ(issuer.check(csr("vm1", {"vm1", "other"}), "vm1").error().code, "name_not_allowed");
  EXPECT_EQ(issuer.check(csr("vm1", {}, {"10.0.0.1"}), "vm1").error().code, "name_not_allowed");
  EXPECT_EQ(issuer.check("garbage", "vm1").error().code, "invalid_request");
}

}  // namespace
}  // namespace phoenix::hub
