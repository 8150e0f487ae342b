#include "shared/core/safe_text.hpp"

#include <gtest/gtest.h>

namespace phoenix {
namespace {

TEST(SafeText, AcceptsWellFormedUtf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("vm-01"));
  EXPECT_TRUE(is_valid_utf8("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"));  // é € 🐳
}

TEST(SafeText, RefusesMalformedUtf8) {
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("a\xc3("));          // broken sequence
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));        // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));    // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));        // cut short
}

TEST(SafeText, PrintableEscapesControlsAndInvalidBytes) {
  EXPECT_EQ(printable("vm1"), "vm1");
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");      // no forged log line
  EXPECT_EQ(printable("a\xff" "b"), "a\\xffb");
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");  // an escape cannot be faked
  EXPECT_EQ(printable("h\xc3\xa9"), "h\xc3\xa9");  // valid UTF-8 kept
  EXPECT_TRUE(is_valid_utf8(printable("\xc3(\x7f\x01")));
}

TEST(SafeText, ToValidUtf8ReplacesOnlyTheBadBytes) {
  EXPECT_EQ(to_valid_utf8("vm\xff" "1"), "vm\xef\xbf\xbd" "1");
  EXPECT_EQ(to_valid_utf8("h\xc3\xa9"), "h\xc3\xa9");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xed\xa0\x80\xc0\xaf")));
}

TEST(SafeText, PrintableCutsLongInput) {
  EXPECT_EQ(printable(std::string(10, 'a'), 4), "aaaa...");
  EXPECT_EQ(printable("abcd", 4), "abcd");
}

TEST(SafeText, DumpJsonNeverThrowsOnInvalidUtf8) {
  const nlohmann::json body = {{"message", std::string("SAN \xff here")}};
  EXPECT_THROW((void)body.dump(), nlohmann::json::type_error);  // why dump_json exists
  const auto text = dump_json(body);
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_NE(text.find("\xef\xbf\xbd"), std::string::npos);  // U+FFFD
}

TEST(SafeText, DumpJsonKeepsTheKeyOrderOfOrderedDocuments) {
  nlohmann::ordered_json doc;
  doc["z"] = std::string("\xfe");
  doc["a"] = 1;
  EXPECT_EQ(dump_json(doc), "{\"z\":\"\xef\xbf\xbd\",\"a\":1}");
}

}  // namespace
}  // namespace phoenix
