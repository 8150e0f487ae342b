#include "shared/pki/digest.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

TEST(Digest, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The docker context directory name for the "phoenix" context (SPEC).
  EXPECT_EQ(sha256_hex("phoenix").size(), 64u);
}

TEST(Digest, ToHexBothCases) {
  std::string bytes("\x00\x0f\xa5\xff", 4);
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  EXPECT_EQ(to_hex(bytes, true), "000FA5FF");
}

TEST(Digest, RandomTokenHasRequestedLengthAndVaries) {
  std::string first = random_token(16);
  std::string second = random_token(16);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_NE(first, second);
  EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(random_token().size(), 64u);
}

}  // namespace
}  // namespace phoenix::pki
