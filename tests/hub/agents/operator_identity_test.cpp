#include "hub/agents/operator_identity.hpp"

#include "shared/fs/real_file_system.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/certificate_authority.hpp"
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/private_key.hpp"
#include "tests/hub/agents/agents_test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

TEST(OperatorIdentityRenewalTest, RenewsWhenMissingStaleOrTwoThirdsThrough) {
  const pki::TimePoint start = std::chrono::system_clock::now();
  const pki::TimePoint end = start + 24h;
  EXPECT_TRUE(operator_identity_renewal_reason(std::nullopt, std::nullopt, false, start));
  EXPECT_FALSE(operator_identity_renewal_reason(start, end, true, start + 1h));
  EXPECT_FALSE(operator_identity_renewal_reason(start, end, true, start + 15h));
  EXPECT_EQ(operator_identity_renewal_reason(start, end, true, start + 16h),
            "two thirds of its lifetime have passed");
  EXPECT_EQ(operator_identity_renewal_reason(start, end, true, end + 1s), "the operator identity expired");
  EXPECT_EQ(operator_identity_renewal_reason(start, end, false, start + 1h), "the docker CA bundle changed");
}

class OperatorIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto ca = pki::CertificateAuthority::create("Phoenix docker CA", 24h * 365).value();
    std::filesystem::create_directories(ca_dir());
    ASSERT_TRUE(fs.write_file_atomic(ca_dir() + "/docker-ca.pem", ca.certificate().to_pem()));
    ASSERT_TRUE(fs.write_file_atomic(ca_dir() + "/docker-ca.key", ca.key().to_pem()));
    auto loaded = DockerTrust::load(ca_dir(), 24h);
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    trust = *loaded;
  }
  std::string ca_dir() const { return dir.path() + "/ca"; }

  TempDir dir;
  fs::RealFileSystem fs;
  std::shared_ptr<DockerTrust> trust;
};

TEST_F(OperatorIdentityTest, LoadMakesTheOperatorsCaOnceAndKeepsItsKeyPrivate) {
  struct stat st{};
  ASSERT_EQ(::stat((ca_dir() + "/docker-operators.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto first = trust->operator_ca_pem();
  EXPECT_NE(first, trust->bundle_pem());  // never the docker CA that signs server certs
  EXPECT_EQ(DockerTrust::load(ca_dir(), 24h).value()->operator_ca_pem(), first);
}

TEST_F(OperatorIdentityTest, WritesAClientIdentityOfTheOperatorsCaAndRenewsItWhenDue) {
  OperatorIdentity identity(fs, dir.path(), trust);
  const auto now = std::chrono::system_clock::now();
  auto made = identity.refresh(now);
  ASSERT_TRUE(made) << made.error().to_string();
  EXPECT_EQ(*made, std::optional<std::string>("there is no operator identity yet"));
  const auto current = identity.current_dir();
  const auto cert = pki::Certificate::from_pem(fs.read_file(current + "/cert.pem").value()).value();
  const auto key = pki::PrivateKey::from_pem(fs.read_file(current + "/key.pem").value()).value();
  EXPECT_TRUE(pki::check_key_matches(cert, key));
  EXPECT_EQ(fs.read_file(current + "/ca.pem").value(), trust->bundle_pem());
  const auto operators = pki::certificates_from_pem(trust->operator_ca_pem()).value();
  EXPECT_TRUE(pki::verify_chain(cert, operators, pki::Usage::client_auth, now));
  const auto docker_ca = pki::certificates_from_pem(trust->bundle_pem()).value();
  EXPECT_FALSE(pki::verify_chain(cert, docker_ca, pki::Usage::client_auth, now));
  EXPECT_LE(cert.facts().not_after, now + 24h);
  struct stat st{};
  ASSERT_EQ(::stat((current + "/key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Fresh: nothing to do. Two thirds through: a new key and cert, the previous dir kept.
  EXPECT_EQ(identity.refresh(now + 1h).value(), std::nullopt);
  const auto first_serial = cert.facts().serial_hex;
  ASSERT_TRUE(identity.refresh(now + 17h).value());
  const auto renewed = pki::Certificate::from_pem(fs.read_file(current + "/cert.pem").value()).value();
  EXPECT_NE(renewed.facts().serial_hex, first_serial);
  ASSERT_TRUE(identity.refresh(now + 34h).value());
  std::size_t dirs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(identity.dir())) dirs += entry.is_directory() && !entry.is_symlink();
  EXPECT_EQ(dirs, 2u);  // the live one and the one before
}

}  // namespace
}  // namespace phoenix::hub
