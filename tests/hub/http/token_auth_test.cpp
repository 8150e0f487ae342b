#include "hub/http/token_auth.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::http {
namespace {

TEST(ConstantTimeEqual, ComparesContentOfAnyLength) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal(std::string(1000, 'a'), std::string(1000, 'a')));
}

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("BEARER  abc "), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
  EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
  EXPECT_EQ(bearer_token(""), std::nullopt);
}

TEST(TokenAuth, DisabledWithoutTokens) {
  const TokenAuth auth;
  EXPECT_FALSE(auth.enabled());
  EXPECT_EQ(auth.authenticate("Bearer x"), std::nullopt);
}

TEST(TokenAuth, GrantsTheConfiguredRole) {
  const TokenAuth auth({{"reader-token", Role::read}, {"writer-token", Role::write}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_EQ(auth.authenticate("Bearer reader-token"), Role::read);
  EXPECT_EQ(auth.authenticate("Bearer writer-token"), Role::write);
  EXPECT_EQ(auth.authenticate("Bearer writer-toke"), std::nullopt);
  EXPECT_EQ(auth.authenticate("Bearer writer-token2"), std::nullopt);
  EXPECT_EQ(auth.authenticate("writer-token"), std::nullopt);
  EXPECT_EQ(auth.authenticate(""), std::nullopt);
}

TEST(TokenAuth, SameTokenListedTwiceGetsTheStrongerRole) {
  const TokenAuth auth({{"t", Role::read}, {"t", Role::write}});
  EXPECT_EQ(auth.authenticate("Bearer t"), Role::write);
}

TEST(Roles, WriteImpliesRead) {
  EXPECT_TRUE(role_allows(Role::write, Role::read));
  EXPECT_TRUE(role_allows(Role::write, Role::write));
  EXPECT_TRUE(role_allows(Role::read, Role::read));
  EXPECT_FALSE(role_allows(Role::read, Role::write));
  EXPECT_EQ(parse_role("write"), Role::write);
  EXPECT_EQ(parse_role("read"), Role::read);
  EXPECT_EQ(parse_role("admin"), std::nullopt);
}

}  // namespace
}  // namespace phoenix::hub::http
