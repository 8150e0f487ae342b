#include "shared/protocol/json_limits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace phoenix::protocol {
namespace {

TEST(JsonLimits, CountsDepthOutsideStringsOnly) {
  JsonLimits limits{.max_bytes = 1000, .max_depth = 2};
  EXPECT_TRUE(check_json_limits(R"({"a":[1]})", limits));
  EXPECT_EQ(check_json_limits(R"({"a":[[1]]})", limits).error().code, "too_deep");
  // Brackets inside strings, escaped quotes included, are text, not nesting.
  EXPECT_TRUE(check_json_limits(R"({"a":"[[[[\"{{{{"})", limits));
}

TEST(JsonLimits, SizeLimitIsInclusive) {
  JsonLimits limits{.max_bytes = 4, .max_depth = 8};
  EXPECT_TRUE(check_json_limits("1234", limits));
  EXPECT_EQ(check_json_limits("12345", limits).error().code, "too_large");
}

TEST(JsonLimits, UnbalancedClosersDoNotUnderflow) {
  JsonLimits limits{.max_bytes = 100, .max_depth = 1};
  EXPECT_TRUE(check_json_limits("]]]]{}", limits));
  EXPECT_EQ(check_json_limits("]]]]{[]}", limits).error().code, "too_deep");
}

}  // namespace
}  // namespace phoenix::protocol
