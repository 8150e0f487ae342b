#include "shared/pki/pem.hpp"

#include "shared/pki/error_codes.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

TEST(Pem, WriteThenReadRoundTripsTypeAndBytes) {
  std::string der("\x30\x03\x02\x01\x05\x00\xff", 7);
  std::string pem = write_pem_block("CERTIFICATE", der) + "some text between\n" +
                    write_pem_block("PRIVATE KEY", "abc");
  auto blocks = read_pem_blocks(pem);
  ASSERT_TRUE(blocks) << blocks.error().to_string();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].type, "CERTIFICATE");
  EXPECT_EQ((*blocks)[0].der, der);
  EXPECT_EQ((*blocks)[1].type, "PRIVATE KEY");
  EXPECT_EQ((*blocks)[1].der, "abc");
}

TEST(Pem, NoBlocksIsEmptyNotAnError) {
  auto blocks = read_pem_blocks("just some text\n");
  ASSERT_TRUE(blocks);
  EXPECT_TRUE(blocks->empty());
}

TEST(Pem, TruncatedBlockIsInvalidPem) {
  std::string pem = write_pem_block("CERTIFICATE", std::string(100, 'x'));
  pem.resize(pem.size() - 20);  // cut into the END line
  auto blocks = read_pem_blocks(pem);
  ASSERT_FALSE(blocks);
  EXPECT_EQ(blocks.error().code, errc::invalid_pem);
}

TEST(Pem, BadBase64IsInvalidPem) {
  auto blocks = read_pem_blocks("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(blocks);
  EXPECT_EQ(blocks.error().code, errc::invalid_pem);
}

TEST(Pem, LegacyEncryptedHeadersAreRefused) {
  std::string pem =
      "-----BEGIN EC PRIVATE KEY-----\n"
      "Proc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n"
      "\n"
      "YWJj\n"
      "-----END EC PRIVATE KEY-----\n";
  auto blocks = read_pem_blocks(pem);
  ASSERT_FALSE(blocks);
  EXPECT_EQ(blocks.error().code, errc::invalid_pem);
  EXPECT_NE(blocks.error().message.find("decrypt"), std::string::npos);
}

TEST(Pem, OversizedInputIsRefusedBeforeParsing) {
  auto blocks = read_pem_blocks(std::string(kMaxPemBytes + 1, 'A'));
  ASSERT_FALSE(blocks);
  EXPECT_EQ(blocks.error().code, errc::invalid_pem);
}

}  // namespace
}  // namespace phoenix::pki
