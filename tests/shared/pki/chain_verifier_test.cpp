#include "shared/pki/chain_verifier.hpp"

#include "shared/pki/error_codes.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using namespace std::chrono;
using test::issue;
using test::make_ca;
using test::policy_for;

class ChainVerifierTest : public ::testing::Test {
 protected:
  TimePoint now = time_point_cast<seconds>(system_clock::now());
  CertificateAuthority ca = make_ca("Phoenix Identity CA", now - hours{24});
  std::vector<Certificate> roots{ca.certificate()};
  test::IssuedLeaf server = issue(
      ca, policy_for("vm-01", Usage::server_auth, {"localhost", "vm-01"}, {"127.0.0.1", "::1"}), now);
  test::IssuedLeaf client = issue(ca, policy_for("agent-1", Usage::client_auth), now);

  static void expect_code(const Result<void>& result, std::string_view code) {
    ASSERT_FALSE(result) << "expected " << code;
    EXPECT_EQ(result.error().code, code) << result.error().message;
  }
};

TEST_F(ChainVerifierTest, VerifiesEachCertForItsOwnPurpose) {
  EXPECT_TRUE(verify_chain(server.certificate, roots, Usage::server_auth));
  EXPECT_TRUE(verify_chain(client.certificate, roots, Usage::client_auth));
  EXPECT_TRUE(verify_chain(client.certificate, roots, Usage::client_auth, now + hours{24 * 6}));
}

TEST_F(ChainVerifierTest, ExpiredWhenCheckedAfterNotAfter) {
  expect_code(verify_chain(client.certificate, roots, Usage::client_auth, now + hours{24 * 8}),
              errc::cert_expired);
}

TEST_F(ChainVerifierTest, ExpiredWhenIssuedLongAgo) {
  auto old_ca = make_ca("Phoenix Identity CA", now - hours{24 * 30});
  auto old = issue(old_ca, policy_for("agent-1", Usage::client_auth), now - hours{24 * 9});
  // Issued 9 days ago for 7 days: expired at the real current time.
  auto result = verify_chain(old.certificate, {old_ca.certificate()}, Usage::client_auth);
  expect_code(result, errc::cert_expired);
  EXPECT_NE(result.error().message.find("agent-1"), std::string::npos);
}

TEST_F(ChainVerifierTest, NotYetValidWhenIssuedForTheFuture) {
  auto early = issue(ca, policy_for("agent-1", Usage::client_auth), now + hours{2});
  expect_code(verify_chain(early.certificate, roots, Usage::client_auth), errc::cert_not_yet_valid);
  expect_code(verify_chain(client.certificate, roots, Usage::client_auth, now - hours{1}),
              errc::cert_not_yet_valid);
}

TEST_F(ChainVerifierTest, CertFromAnotherCaIsUnknownCa) {
  auto other = make_ca("Some Other CA", now - hours{24});
  auto foreign = issue(other, policy_for("agent-1", Usage::client_auth), now);
  expect_code(verify_chain(foreign.certificate, roots, Usage::client_auth), errc::unknown_ca);
}

TEST_F(ChainVerifierTest, CertFromAnImpostorCaWithTheSameNameIsUnknownCa) {
  auto impostor = make_ca("Phoenix Identity CA", now - hours{24});
  auto forged = issue(impostor, policy_for("agent-1", Usage::client_auth), now);
  expect_code(verify_chain(forged.certificate, roots, Usage::client_auth), errc::unknown_ca);
}

TEST_F(ChainVerifierTest, NoRootsIsUnknownCa) {
  expect_code(verify_chain(client.certificate, {}, Usage::client_auth), errc::unknown_ca);
}

TEST_F(ChainVerifierTest, SelfSignedCaAsLeafIsUnknownCaUnlessTrusted) {
  auto other = make_ca("Some Other CA", now - hours{24});
  expect_code(verify_chain(other.certificate(), roots, Usage::client_auth), errc::unknown_ca);
}

TEST_F(ChainVerifierTest, ServerCertUsedAsClientIsWrongPurpose) {
  expect_code(verify_chain(server.certificate, roots, Usage::client_auth), errc::wrong_purpose);
}

TEST_F(ChainVerifierTest, ClientCertUsedAsServerIsWrongPurpose) {
  expect_code(verify_chain(client.certificate, roots, Usage::server_auth), errc::wrong_purpose);
}

// `openssl req -x509` with Debian's openssl.cnf makes a CA without keyUsage. dockerd (Go)
// accepts chains from it; OpenSSL's strict profile does not. Each rule set says which.
TEST_F(ChainVerifierTest, ACaWithoutKeyUsagePassesDockerdsRulesOnly) {
  const auto ca_key = PrivateKey::generate_p256().value();
  const auto cli_ca = test::cli_style_ca(ca_key, "");
  const auto leaf_key = PrivateKey::generate_p256().value();
  const auto leaf = test::cli_style_leaf(cli_ca, ca_key, leaf_key, Usage::server_auth, "DNS:localhost");
  EXPECT_TRUE(verify_chain(leaf, {cli_ca}, Usage::server_auth, {}, ChainRules::as_dockerd));
  auto strict = verify_chain(leaf, {cli_ca}, Usage::server_auth);
  expect_code(strict, "chain_invalid");
  EXPECT_NE(strict.error().message.find("CLI-made CA"), std::string::npos) << strict.error().message;
}

// A keyUsage that is there but does not allow signing certificates: Go refuses it, so do we.
TEST_F(ChainVerifierTest, ACaWhoseKeyUsageForbidsCertSigningFailsBothRuleSets) {
  const auto ca_key = PrivateKey::generate_p256().value();
  const auto cli_ca = test::cli_style_ca(ca_key, "critical,digitalSignature");
  const auto leaf_key = PrivateKey::generate_p256().value();
  const auto leaf = test::cli_style_leaf(cli_ca, ca_key, leaf_key, Usage::server_auth, "DNS:localhost");
  EXPECT_FALSE(verify_chain(leaf, {cli_ca}, Usage::server_auth, {}, ChainRules::as_dockerd));
  EXPECT_FALSE(verify_chain(leaf, {cli_ca}, Usage::server_auth));
}

TEST_F(ChainVerifierTest, KeyMatchesItsCertOnly) {
  EXPECT_TRUE(check_key_matches(server.certificate, server.key));
  expect_code(check_key_matches(server.certificate, client.key), errc::key_mismatch);
  expect_code(check_key_matches(ca.certificate(), server.key), errc::key_mismatch);
}

TEST_F(ChainVerifierTest, CoversLoopbackNames) {
  EXPECT_TRUE(check_covers(server.certificate, {"localhost", "VM-01"}, {"127.0.0.1", "::1"}));
  EXPECT_TRUE(check_covers(server.certificate, {}, {"0:0::1"}));
}

TEST_F(ChainVerifierTest, MissingSansAreNamed) {
  auto result = check_covers(server.certificate, {"localhost", "vm-02"}, {"127.0.0.1", "10.0.0.5"});
  expect_code(result, errc::san_missing);
  EXPECT_NE(result.error().message.find("vm-02, 10.0.0.5"), std::string::npos)
      << result.error().message;
  // A CN is not a SAN: the client cert's CN "agent-1" does not cover that name.
  expect_code(check_covers(client.certificate, {"agent-1"}, {}), errc::san_missing);
}

}  // namespace
}  // namespace phoenix::pki
