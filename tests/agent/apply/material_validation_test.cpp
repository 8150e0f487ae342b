#include "agent/apply/material_validation.hpp"

#include "tests/agent/apply/test_material.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::apply {
namespace {

using namespace std::chrono_literals;

class MaterialValidation : public ::testing::Test {
 protected:
  pki::CertificateAuthority ca = test::make_ca();
  CertFiles files = test::good_files(ca);

  std::string refusal(const CertFiles& f) {
    auto r = validate_material(f, std::chrono::system_clock::now());
    EXPECT_FALSE(r);
    if (r) return "accepted";
    EXPECT_NE(r.error().message.find("Nothing was changed"), std::string::npos) << r.error().message;
    return r.error().code;
  }
};

TEST_F(MaterialValidation, AcceptsAGoodSetAndReportsSerials) {
  auto r = validate_material(files, std::chrono::system_clock::now());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->server_serial.empty());
  EXPECT_NE(r->server_serial, r->client_serial);
  EXPECT_FALSE(r->server_not_after.empty());
}

// What `openssl req -x509` makes with Debian's default config has no keyUsage; dockerd and
// the docker CLI accept it, so apply does too, and says where it differs from RFC 5280.
TEST_F(MaterialValidation, AcceptsACaMadeByTheOpensslCliAsDockerdDoes) {
  auto r = validate_material(test::openssl_cli_files(), std::chrono::system_clock::now());
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_FALSE(r->notes.empty());
  EXPECT_NE(r->notes.front().find("dockerd accepts"), std::string::npos) << r->notes.front();
  EXPECT_TRUE(test::validated(files).notes.empty());  // Phoenix's own CAs are strict
}

// dockerd refuses a CA whose keyUsage forbids signing certificates; so does apply, naming it.
TEST_F(MaterialValidation, RefusesACaWhoseKeyUsageForbidsSigningCerts) {
  auto r = validate_material(test::openssl_cli_files("critical,digitalSignature"), std::chrono::system_clock::now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code.rfind("server_cert_", 0), 0u) << r.error().code;
}

TEST_F(MaterialValidation, RefusesAServerKeyThatIsNotTheCertsKey) {
  files.server_key_pem = test::server_leaf(ca).key_pem;
  EXPECT_EQ(refusal(files), "server_key_mismatch");
}

TEST_F(MaterialValidation, RefusesAClientKeyThatIsNotTheCertsKey) {
  files.client_key_pem = files.server_key_pem;
  EXPECT_EQ(refusal(files), "client_key_mismatch");
}

TEST_F(MaterialValidation, RefusesAServerCertFromAnotherCa) {
  const auto other = test::server_leaf(test::make_ca("Other CA"));
  files.server_cert_pem = other.cert_pem;
  files.server_key_pem = other.key_pem;
  EXPECT_EQ(refusal(files), "server_cert_unknown_ca");
}

TEST_F(MaterialValidation, RefusesAClientCertFromAnotherCa) {
  const auto other = test::client_leaf(test::make_ca("Other CA"));
  files.client_cert_pem = other.cert_pem;
  files.client_key_pem = other.key_pem;
  EXPECT_EQ(refusal(files), "client_cert_unknown_ca");
}

TEST_F(MaterialValidation, RefusesAClientCertWithoutClientAuth) {
  test::LeafOptions o;
  o.dns = {};
  o.ips = {};
  o.usage = pki::Usage::server_auth;
  const auto wrong = test::issue(ca, "not-a-client", o);
  files.client_cert_pem = wrong.cert_pem;
  files.client_key_pem = wrong.key_pem;
  EXPECT_EQ(refusal(files), "client_cert_wrong_purpose");
}

TEST_F(MaterialValidation, RefusesAServerCertWithoutServerAuth) {
  const auto client = test::client_leaf(ca);
  files.server_cert_pem = client.cert_pem;
  files.server_key_pem = client.key_pem;
  EXPECT_EQ(refusal(files), "server_cert_wrong_purpose");
}

TEST_F(MaterialValidation, RefusesAServerCertWithout127001) {
  test::LeafOptions o;
  o.ips = {"10.0.0.5"};
  const auto leaf = test::issue(ca, "dockerd", o);
  files.server_cert_pem = leaf.cert_pem;
  files.server_key_pem = leaf.key_pem;
  EXPECT_EQ(refusal(files), "server_cert_san_missing");
}

TEST_F(MaterialValidation, RefusesAServerCertWithoutLocalhost) {
  test::LeafOptions o;
  o.dns = {"vm1.example"};
  const auto leaf = test::issue(ca, "dockerd", o);
  files.server_cert_pem = leaf.cert_pem;
  files.server_key_pem = leaf.key_pem;
  EXPECT_EQ(refusal(files), "server_cert_san_missing");
}

TEST_F(MaterialValidation, ExtraAddressesMustBeCoveredToo) {
  auto r = validate_material(files, std::chrono::system_clock::now(), {}, {"10.77.0.2"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "server_cert_san_missing");
}

TEST_F(MaterialValidation, RefusesAnExpiredServerCert) {
  test::LeafOptions o;
  o.issued_at = std::chrono::system_clock::now() - 48h;
  o.lifetime = 24h;
  const auto leaf = test::issue(ca, "dockerd", o);
  files.server_cert_pem = leaf.cert_pem;
  files.server_key_pem = leaf.key_pem;
  EXPECT_EQ(refusal(files), "server_cert_expired");
}

TEST_F(MaterialValidation, RefusesCertsNotYetValidAtThisClock) {
  auto r = validate_material(files, std::chrono::system_clock::now() - 2h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "server_cert_not_yet_valid");
}

TEST_F(MaterialValidation, RefusesGarbageNamingTheFile) {
  auto f = files;
  f.ca_pem = "nope";
  EXPECT_EQ(refusal(f), "ca_invalid_pem");
  f = files;
  f.server_cert_pem = "";
  EXPECT_EQ(refusal(f), "server_cert_invalid_pem");
  f = files;
  f.client_key_pem = files.client_cert_pem;
  f.client_key_path = "/tmp/c.key";
  auto r = validate_material(f, std::chrono::system_clock::now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "client_key_invalid_pem");
  EXPECT_NE(r.error().message.find("/tmp/c.key"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::agent::apply
