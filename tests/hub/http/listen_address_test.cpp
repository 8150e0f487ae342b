#include "hub/http/listen_address.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::http {
namespace {

TEST(ListenAddress, ParsesIpv4AndIpv6) {
  const auto v4 = parse_listen_address("127.0.0.1:8082");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8082);
  EXPECT_TRUE(v4->is_loopback());
  const auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_TRUE(v6->is_loopback());
  EXPECT_EQ(v6->to_string(), "[::1]:0");
}

TEST(ListenAddress, KnowsWhatIsNotLoopback) {
  EXPECT_FALSE(parse_listen_address("0.0.0.0:8082")->is_loopback());
  EXPECT_FALSE(parse_listen_address("192.168.1.2:80")->is_loopback());
  EXPECT_FALSE(parse_listen_address("[::]:80")->is_loopback());
  EXPECT_TRUE(parse_listen_address("127.0.0.2:80")->is_loopback());
}

TEST(ListenAddress, RefusesMalformedText) {
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                          "localhost:8082", "::1:80", "127.0.0.1:80x", "[::1]"}) {
    const auto parsed = parse_listen_address(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, "invalid_listen_address");
  }
}

}  // namespace
}  // namespace phoenix::hub::http
