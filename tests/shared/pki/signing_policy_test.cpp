#include "shared/pki/signing_policy.hpp"

#include "shared/pki/error_codes.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

// Pure policy decisions over hand-made CSR facts: no keys, no signatures.
class SigningPolicyTest : public ::testing::Test {
 protected:
  SigningPolicyTest() {
    policy.common_name = "vm-01";
    policy.dns_names = {"localhost", "vm-01.fleet"};
    policy.ip_addresses = {"127.0.0.1", "::1"};
    policy.usage = Usage::server_auth;
    request.common_name = "vm-01";
    request.common_name_count = 1;
    request.dns_names = {"localhost", "vm-01.fleet"};
    request.ip_addresses = {"127.0.0.1", "::1"};
    request.key = KeyInfo{KeyType::ec_p256, 256, "EC P-256"};
  }

  void expect_refused(std::string_view code, const std::string& named) {
    auto result = check_request(request, policy);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, code);
    EXPECT_NE(result.error().message.find(named), std::string::npos) << result.error().message;
  }

  SigningPolicy policy;
  CsrFacts request;
};

TEST_F(SigningPolicyTest, AllowsExactlyTheGrantedNames) { EXPECT_TRUE(check_request(request, policy)); }

TEST_F(SigningPolicyTest, AllowsASubsetOfTheGrantedNames) {
  request.dns_names = {"localhost"};
  request.ip_addresses = {};
  EXPECT_TRUE(check_request(request, policy));
}

TEST_F(SigningPolicyTest, ComparesDnsCaseInsensitivelyAndIpsByValue) {
  request.dns_names = {"LOCALHOST"};
  request.ip_addresses = {"0:0:0:0:0:0:0:1"};
  EXPECT_TRUE(check_request(request, policy));
}

TEST_F(SigningPolicyTest, RefusesAnotherCommonName) {
  request.common_name = "vm-02";
  expect_refused(errc::name_not_allowed, "vm-02");
}

TEST_F(SigningPolicyTest, RefusesTwoCommonNames) {
  request.common_name_count = 2;
  expect_refused(errc::name_not_allowed, "2 common names");
}

TEST_F(SigningPolicyTest, RefusesADnsNameOutsideThePolicy) {
  request.dns_names.push_back("hub.fleet");
  expect_refused(errc::name_not_allowed, "hub.fleet");
}

TEST_F(SigningPolicyTest, RefusesAnIpOutsideThePolicy) {
  request.ip_addresses.push_back("10.0.0.9");
  expect_refused(errc::name_not_allowed, "10.0.0.9");
}

TEST_F(SigningPolicyTest, RefusesOtherSanTypes) {
  request.other_names = {"URI:spiffe://fleet/hub"};
  expect_refused(errc::name_not_allowed, "spiffe://fleet/hub");
}

TEST_F(SigningPolicyTest, RefusesMalformedSanExtension) {
  request.malformed_extensions = true;
  expect_refused(errc::name_not_allowed, "subjectAltName");
}

TEST_F(SigningPolicyTest, RefusesWeakAndWrongKeys) {
  request.key = KeyInfo{KeyType::ec_other, 384, "EC secp384r1"};
  expect_refused(errc::wrong_key_type, "secp384r1");
  request.key = KeyInfo{KeyType::rsa, 1024, "RSA 1024"};
  expect_refused(errc::weak_key, "RSA 1024");
  request.key = KeyInfo{KeyType::rsa, 2048, "RSA 2048"};
  expect_refused(errc::wrong_key_type, "RSA 2048");
}

TEST_F(SigningPolicyTest, KeyRequirementCanBeRelaxed) {
  policy.require_p256 = false;
  request.key = KeyInfo{KeyType::ec_other, 384, "EC secp384r1"};
  EXPECT_TRUE(check_request(request, policy));
}

TEST_F(SigningPolicyTest, RefusesAMalformedPolicy) {
  policy.lifetime = std::chrono::seconds{0};
  expect_refused(errc::invalid_policy, "lifetime");
  policy.lifetime = std::chrono::hours{1};
  policy.ip_addresses.insert("not-an-ip");
  expect_refused(errc::invalid_policy, "not-an-ip");
}

}  // namespace
}  // namespace phoenix::pki
