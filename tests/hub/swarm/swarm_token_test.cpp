#include "hub/swarm/swarm_token.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace phoenix::hub {
namespace {

// The shape `docker swarm join-token worker -q` prints (Docker's documentation example).
constexpr const char* kWorker = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";

TEST(SwarmToken, ARealTokenGivesItsCaDigestAndSecret) {
  const auto token = parse_swarm_token(kWorker);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->ca_digest, "3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl");
  EXPECT_EQ(token->secret, "1awxwuwd3z9j1z3puu7rcgdbx");
}

TEST(SwarmToken, AnythingElseIsRefused) {
  const std::string good = kWorker;
  for (const std::string& bad : std::vector<std::string>{
           std::string(),
           std::string("SWMTKN-1-"),
           "SWMTKN-2-" + good.substr(9),                      // another version
           "SWMKEY-1-" + good.substr(9),                      // an unlock key
           good + "a",                                        // too long
           good.substr(0, good.size() - 1),                   // too short
           "SWMTKN-1-3PU6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx",  // upper case
           "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl_1awxwuwd3z9j1z3puu7rcgdbx",  // separator
           "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lk-l1awxwuwd3z9j1z3puu7rcgdbx",  // split moved
           std::string("SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgd\0x", 85),
       }) {
    EXPECT_FALSE(parse_swarm_token(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace phoenix::hub
