#include "agent/channel/hub_pin.hpp"
#include "agent/channel/hub_url.hpp"
#include "test_pki.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

using testing::make_ca;
using testing::make_leaf;

class HubPin : public ::testing::Test {
 protected:
  pki::CertificateAuthority ca = make_ca("identity CA");
  testing::Leaf server = make_leaf(ca, "hub", {"hub.example", "localhost"}, {"127.0.0.1"},
                                   pki::Usage::server_auth);
  std::string pin = ca.certificate().facts().sha256_fingerprint;
  pki::TimePoint now = std::chrono::system_clock::now();
};

TEST_F(HubPin, AcceptsLeafAndPinnedCaForTheUrlHost) {
  auto anchor = check_pinned_chain({server.cert, ca.certificate()}, pin, "hub.example", false, now);
  ASSERT_TRUE(anchor) << anchor.error().to_string();
  EXPECT_EQ(anchor->facts().sha256_fingerprint, pin);
  EXPECT_TRUE(check_pinned_chain({server.cert, ca.certificate()}, pin, "127.0.0.1", true, now));
}

TEST_F(HubPin, RefusesAChainWithoutThePinnedCa) {
  auto other = make_ca("someone else");
  auto other_leaf = make_leaf(other, "hub", {"hub.example"}, {}, pki::Usage::server_auth);
  auto r = check_pinned_chain({other_leaf.cert, other.certificate()}, pin, "hub.example", false, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "pin_mismatch");
  EXPECT_NE(r.error().message.find("the hub's CA fingerprint does not match the token"), std::string::npos);
  EXPECT_NE(r.error().message.find("check the hub URL"), std::string::npos);
  // Only the leaf, no CA in the chain: nothing to pin against either.
  EXPECT_EQ(check_pinned_chain({server.cert}, pin, "hub.example", false, now).error().code, "pin_mismatch");
}

TEST_F(HubPin, RefusesAChainThatCarriesThePinnedCaButALeafFromAnotherCa) {
  auto other = make_ca("impostor");
  auto impostor = make_leaf(other, "hub", {"hub.example"}, {}, pki::Usage::server_auth);
  auto r = check_pinned_chain({impostor.cert, ca.certificate()}, pin, "hub.example", false, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "hub_cert_invalid");
}

TEST_F(HubPin, RefusesAWrongHostOrAClientCert) {
  auto r = check_pinned_chain({server.cert, ca.certificate()}, pin, "other.example", false, now);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "hub_cert_invalid");
  EXPECT_FALSE(check_pinned_chain({server.cert, ca.certificate()}, pin, "10.0.0.1", true, now));
  auto client = make_leaf(ca, "hub.example", {"hub.example"}, {}, pki::Usage::client_auth);
  EXPECT_EQ(check_pinned_chain({client.cert, ca.certificate()}, pin, "hub.example", false, now).error().code,
            "hub_cert_invalid");
}

TEST_F(HubPin, RefusesAnExpiredServerCert) {
  auto r = check_pinned_chain({server.cert, ca.certificate()}, pin, "hub.example", false,
                              now + std::chrono::hours{2});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "hub_cert_invalid");
  EXPECT_FALSE(check_pinned_chain({}, pin, "hub.example", false, now));
}

TEST(HubUrl, SplitsHostAndPort) {
  auto a = parse_hub_url("wss://hypervisor.example:8443");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->host, "hypervisor.example");
  EXPECT_EQ(a->port, "8443");
  EXPECT_FALSE(a->host_is_ip);
  auto b = parse_hub_url("wss://[::1]:9000/");
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(b->host, "::1");
  EXPECT_TRUE(b->host_is_ip);
  EXPECT_EQ(b->authority(), "[::1]:9000");
  auto c = parse_hub_url("wss://10.0.0.1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->port, "443");
  EXPECT_TRUE(c->host_is_ip);
}

TEST(HubUrl, RefusesOtherShapes) {
  for (const char* url : {"https://hub:8443", "ws://hub:8443", "wss://user@hub:8443", "wss://hub:8443/x",
                          "wss://hub:8443?q=1", "hub:8443", "", "wss://:8443"}) {
    auto r = parse_hub_url(url);
    EXPECT_FALSE(r) << url;
    if (!r) {
      EXPECT_EQ(r.error().code, "invalid_hub_url");
    }
  }
}

}  // namespace
}  // namespace phoenix::agent
