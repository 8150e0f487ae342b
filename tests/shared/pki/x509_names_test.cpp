#include "shared/pki/x509_names.hpp"

#include "shared/pki/error_codes.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

TEST(CanonicalIp, NormalisesV4AndV6) {
  EXPECT_EQ(canonical_ip("127.0.0.1").value(), "127.0.0.1");
  EXPECT_EQ(canonical_ip("0:0:0:0:0:0:0:1").value(), "::1");
  EXPECT_EQ(canonical_ip("FE80::0001").value(), "fe80::1");
}

TEST(CanonicalIp, RefusesNonAddresses) {
  for (const char* bad : {"", "localhost", "1.2.3", "256.1.1.1", "1.2.3.4/24", "::1%eth0"}) {
    auto ip = canonical_ip(bad);
    ASSERT_FALSE(ip) << bad;
    EXPECT_EQ(ip.error().code, errc::invalid_ip);
  }
}

TEST(CanonicalDnsName, LowercasesAndAcceptsHostNames) {
  EXPECT_EQ(canonical_dns_name("LocalHost").value(), "localhost");
  EXPECT_EQ(canonical_dns_name("vm-01.fleet.example").value(), "vm-01.fleet.example");
  EXPECT_EQ(canonical_dns_name("*.fleet.example").value(), "*.fleet.example");
  EXPECT_EQ(canonical_dns_name("under_score").value(), "under_score");
}

TEST(CanonicalDnsName, RefusesMalformedNames) {
  for (const char* bad : {"", "a..b", ".a", "a.", "-a", "a-", "a b", "a/b", "*", "*.", "a.*.b",
                          "name,DNS:evil"}) {
    auto name = canonical_dns_name(bad);
    ASSERT_FALSE(name) << bad;
    EXPECT_EQ(name.error().code, errc::invalid_name) << bad;
  }
  EXPECT_FALSE(canonical_dns_name(std::string(64, 'a') + ".example"));
  EXPECT_FALSE(canonical_dns_name(std::string(254, 'a')));
}

TEST(CommonName, ValidatesLengthAndControlCharacters) {
  EXPECT_TRUE(validate_common_name("vm-01"));
  EXPECT_TRUE(validate_common_name(std::string(64, 'x')));
  EXPECT_EQ(validate_common_name("").error().code, errc::invalid_name);
  EXPECT_EQ(validate_common_name(std::string(65, 'x')).error().code, errc::invalid_name);
  EXPECT_EQ(validate_common_name("a\nb").error().code, errc::invalid_name);
}

TEST(SubjectAltNameExtension, RefusesBadIp) {
  auto extension = make_subject_alt_name_extension({"localhost"}, {"not-an-ip"});
  ASSERT_FALSE(extension);
  EXPECT_EQ(extension.error().code, errc::invalid_ip);
}

}  // namespace
}  // namespace phoenix::pki
