// Failures must leave this thread's OpenSSL error queue empty: a stale entry would be
// misread by the next unrelated OpenSSL user on the thread (SSL_get_error in Asio's TLS).
#include "shared/pki/chain_verifier.hpp"
#include "shared/pki/error_codes.hpp"
#include "shared/pki/pem.hpp"
#include "tests/shared/pki/pki_test_support.hpp"

#include <openssl/err.h>

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using namespace std::chrono;

TEST(OpenSslErrorQueue, IsEmptyAfterEveryKindOfRefusal) {
  ERR_clear_error();
  auto now = system_clock::now();
  auto ca = test::make_ca("CA", now);
  auto other = test::make_ca("Other", now);
  auto leaf = test::issue(ca, test::policy_for("vm", Usage::server_auth, {"localhost"}), now);

  EXPECT_FALSE(PrivateKey::from_pem(write_pem_block("PRIVATE KEY", "junk")));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(Certificate::from_pem(write_pem_block("CERTIFICATE", "junk")));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(Certificate::from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n"));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(CertificateRequest::from_pem(write_pem_block("CERTIFICATE REQUEST", "junk")));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(verify_chain(leaf.certificate, {other.certificate()}, Usage::server_auth));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(verify_chain(leaf.certificate, {ca.certificate()}, Usage::client_auth));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(check_key_matches(leaf.certificate, other.key()));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(check_covers(leaf.certificate, {"elsewhere"}, {"10.0.0.1"}));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(CertificateAuthority::load(ca.certificate().to_pem(), other.key().to_pem()));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_FALSE(CertificateRequest::create(ca.key(), "vm", {}, {"1.2.3"}));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace phoenix::pki
