#include "shared/pki/private_key.hpp"

#include "shared/pki/error_codes.hpp"
#include "shared/pki/pem.hpp"

#include <openssl/pem.h>

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

PrivateKey ec_key(const char* curve) { return PrivateKey(EvpPkeyPtr(EVP_EC_gen(curve))); }

TEST(PrivateKey, GeneratesP256) {
  PrivateKey key = PrivateKey::generate_p256().value();
  EXPECT_EQ(key.info().type, KeyType::ec_p256);
  EXPECT_EQ(key.info().bits, 256);
  EXPECT_EQ(key.info().description, "EC P-256");
  EXPECT_TRUE(key.require_p256());
}

TEST(PrivateKey, PemRoundTripKeepsTheKey) {
  PrivateKey key = PrivateKey::generate_p256().value();
  std::string pem = key.to_pem();
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  auto loaded = PrivateKey::from_pem(pem);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->public_key_pem(), key.public_key_pem());
  EXPECT_EQ(key.public_key_pem().rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);
}

TEST(PrivateKey, CopiesShareTheSameKey) {
  PrivateKey key = PrivateKey::generate_p256().value();
  PrivateKey copy = key;
  EXPECT_EQ(copy.native(), key.native());
  EXPECT_EQ(copy.public_key_pem(), key.public_key_pem());
}

TEST(PrivateKey, ReadsTraditionalEcFormWithParametersBlock) {
  PrivateKey key = PrivateKey::generate_p256().value();
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_EQ(PEM_write_bio_PrivateKey_traditional(bio.get(), key.native(), nullptr, nullptr, 0,
                                                 nullptr, nullptr),
            1);
  std::string traditional = bio_contents(bio.get());
  ASSERT_EQ(traditional.rfind("-----BEGIN EC PRIVATE KEY-----", 0), 0u);
  // `openssl ecparam -genkey` writes an EC PARAMETERS block first.
  std::string with_params = write_pem_block("EC PARAMETERS", "\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07") +
                            traditional;
  auto loaded = PrivateKey::from_pem(with_params);
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  EXPECT_EQ(loaded->public_key_pem(), key.public_key_pem());
}

TEST(PrivateKey, RefusesGarbageAndWrongBlocks) {
  for (std::string bad : {std::string("not a key"), std::string(),
                          write_pem_block("CERTIFICATE", "abc"),
                          write_pem_block("PRIVATE KEY", "garbage der"),
                          write_pem_block("ENCRYPTED PRIVATE KEY", "abc")}) {
    auto key = PrivateKey::from_pem(bad);
    ASSERT_FALSE(key) << bad;
    EXPECT_EQ(key.error().code, errc::invalid_pem) << bad;
  }
}

TEST(PrivateKey, RefusesTwoKeysInOneFile) {
  std::string two = PrivateKey::generate_p256().value().to_pem() +
                    PrivateKey::generate_p256().value().to_pem();
  auto key = PrivateKey::from_pem(two);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, errc::invalid_pem);
}

TEST(PrivateKey, OtherCurvesLoadButFailTheP256Requirement) {
  auto p384 = PrivateKey::from_pem(ec_key("P-384").to_pem());
  ASSERT_TRUE(p384);
  EXPECT_EQ(p384->info().type, KeyType::ec_other);
  EXPECT_EQ(p384->require_p256().error().code, errc::wrong_key_type);
  EXPECT_NE(p384->require_p256().error().message.find("P-256"), std::string::npos);

  EXPECT_EQ(ec_key("P-224").require_p256().error().code, errc::weak_key);
}

TEST(KeyType, DescribesEd25519AsWrongType) {
  PrivateKey ed(EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  EXPECT_EQ(ed.info().type, KeyType::ed25519);
  EXPECT_EQ(ed.require_p256().error().code, errc::wrong_key_type);
  EXPECT_EQ(describe_key(nullptr).type, KeyType::unknown);
}

}  // namespace
}  // namespace phoenix::pki
