// decide_peer: each refusal reason, in the order that keeps messages honest.
#include "hub/agents/peer_identity_check.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
const pki::TimePoint kNow = std::chrono::system_clock::now();

PeerCertificateFacts good_cert() {
  PeerCertificateFacts cert;
  cert.present = true;
  cert.chain_verified = true;
  cert.common_name = "vm1";
  cert.serial_hex = "AB12";
  cert.client_auth = true;
  cert.not_before = kNow - 1h;
  cert.not_after = kNow + 24h;
  return cert;
}

PeerStoreFacts enrolled() {
  PeerStoreFacts store;
  store.enrolled = true;
  store.current_serial = "AB12";
  return store;
}

TEST(DecidePeer, AcceptsTheCurrentIdentityOfAnEnrolledAgent) {
  EXPECT_TRUE(decide_peer(good_cert(), enrolled(), kNow).accepted);
}

TEST(DecidePeer, RefusesAMissingCertWith401) {
  auto decision = decide_peer(PeerCertificateFacts{}, enrolled(), kNow);
  EXPECT_FALSE(decision.accepted);
  EXPECT_EQ(decision.http_status, 401u);
  EXPECT_EQ(decision.code, "client_cert_required");
}

TEST(DecidePeer, RefusesAnUnverifiedChain) {
  auto cert = good_cert();
  cert.chain_verified = false;
  cert.verify_error = "unknown CA";
  auto decision = decide_peer(cert, enrolled(), kNow);
  EXPECT_EQ(decision.code, "client_cert_invalid");
  EXPECT_NE(decision.reason.find("unknown CA"), std::string::npos);
}

TEST(DecidePeer, RefusesExpiredAndNotYetValid) {
  auto cert = good_cert();
  cert.not_after = kNow - 1s;
  EXPECT_EQ(decide_peer(cert, enrolled(), kNow).code, "cert_expired");
  cert = good_cert();
  cert.not_before = kNow + 1h;
  EXPECT_EQ(decide_peer(cert, enrolled(), kNow).code, "cert_not_yet_valid");
}

TEST(DecidePeer, RefusesWithoutClientAuth) {
  auto cert = good_cert();
  cert.client_auth = false;
  auto decision = decide_peer(cert, enrolled(), kNow);
  EXPECT_EQ(decision.code, "wrong_purpose");
  EXPECT_EQ(decision.http_status, 403u);
}

TEST(DecidePeer, RefusesRevokedBySerialOrByName) {
  auto store = enrolled();
  store.serial_revoked = true;
  EXPECT_EQ(decide_peer(good_cert(), store, kNow).code, "agent_revoked");
  store = enrolled();
  store.name_revoked = true;
  EXPECT_EQ(decide_peer(good_cert(), store, kNow).code, "agent_revoked");
}

TEST(DecidePeer, RefusesACnThatIsNotEnrolled) {
  auto decision = decide_peer(good_cert(), PeerStoreFacts{}, kNow);
  EXPECT_EQ(decision.code, "agent_not_enrolled");
  EXPECT_NE(decision.reason.find("vm1"), std::string::npos);
}

TEST(DecidePeer, RefusesASupersededSerialUnlessItWasJustRenewedFrom) {
  auto store = enrolled();
  store.current_serial = "CD34";
  EXPECT_EQ(decide_peer(good_cert(), store, kNow).code, "cert_superseded");
  store.previous_serial = true;
  EXPECT_TRUE(decide_peer(good_cert(), store, kNow).accepted);
}

TEST(DescribeVerifyResult, NamesTheReason) {
  EXPECT_EQ(describe_verify_result(X509_V_OK), "");
  EXPECT_NE(describe_verify_result(X509_V_ERR_CERT_HAS_EXPIRED).find("expired"), std::string::npos);
  EXPECT_NE(describe_verify_result(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY).find("unknown CA"),
            std::string::npos);
  EXPECT_NE(describe_verify_result(X509_V_ERR_INVALID_PURPOSE).find("clientAuth"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::hub
