#include "shared/protocol/enroll_token.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace phoenix::protocol {
namespace {

const std::string kHex64(64, 'a');

EnrollToken sample() {
  return EnrollToken{"wss://hypervisor.example:8443",
                     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "vm1",
                     "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"};
}

std::string token_of_json(const nlohmann::json& body) {
  return std::string(kEnrollTokenPrefix) + base64url_encode(body.dump());
}

void expect_malformed(std::string_view text, std::string_view fragment) {
  auto decoded = decode_enroll_token(text);
  ASSERT_FALSE(decoded) << text;
  EXPECT_EQ(decoded.error().code, "token_malformed");
  EXPECT_NE(decoded.error().message.find(fragment), std::string::npos) << decoded.error().message;
}

TEST(Base64Url, KnownVectorsWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff", 2)), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), std::string("\xfb\xff", 2));
  EXPECT_EQ(*base64url_decode("Zm9vYg"), "foob");
}

TEST(Base64Url, RoundTripsEveryByteAndLength) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes += static_cast<char>(i);
    auto back = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(back);
    ASSERT_EQ(*back, bytes);
  }
}

TEST(Base64Url, RefusesBadInput) {
  EXPECT_FALSE(base64url_decode("Zm9v+g"));   // standard alphabet '+'
  EXPECT_FALSE(base64url_decode("Zm9v/g"));   // standard alphabet '/'
  EXPECT_FALSE(base64url_decode("Zg=="));     // padding
  EXPECT_FALSE(base64url_decode("Zm9vY"));    // 4n+1 characters
  EXPECT_FALSE(base64url_decode("Zh"));       // non-zero leftover bits
}

TEST(EnrollToken, RoundTrip) {
  const auto token = sample();
  const std::string text = encode_enroll_token(token);
  EXPECT_EQ(text.rfind("phx1.", 0), 0u);
  EXPECT_EQ(text.find('='), std::string::npos);
  auto decoded = decode_enroll_token(text);
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(*decoded, token);
}

TEST(EnrollToken, CarriesCompactJsonWithTheDocumentedKeys) {
  const std::string text = encode_enroll_token(sample());
  auto json_text = base64url_decode(std::string_view(text).substr(5));
  ASSERT_TRUE(json_text);
  EXPECT_EQ(json_text->find(' '), std::string::npos);
  const auto json = nlohmann::json::parse(*json_text);
  EXPECT_EQ(json.at("hub"), "wss://hypervisor.example:8443");
  EXPECT_EQ(json.at("vm"), "vm1");
  EXPECT_EQ(json.size(), 4u);
}

TEST(EnrollToken, IgnoresSurroundingWhitespaceFromAPaste) {
  auto decoded = decode_enroll_token("  " + encode_enroll_token(sample()) + "\n");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->vm, "vm1");
}

TEST(EnrollToken, RefusesWrongPrefix) {
  const std::string text = encode_enroll_token(sample());
  expect_malformed("phx2." + text.substr(5), "phx1.");
  expect_malformed(text.substr(5), "phx1.");
  expect_malformed("phx1.", "empty");
  expect_malformed("", "phx1.");
}

TEST(EnrollToken, RefusesBadAlphabetAndTruncation) {
  const std::string text = encode_enroll_token(sample());
  std::string bad = text;
  bad[10] = '+';
  expect_malformed(bad, "alphabet");
  expect_malformed(text + "=", "padding");
  // Cut anywhere: an impossible length, a broken JSON document, or a non-canonical end.
  for (std::size_t cut = 6; cut < text.size(); cut += 7) {
    auto decoded = decode_enroll_token(text.substr(0, cut));
    ASSERT_FALSE(decoded) << cut;
    EXPECT_EQ(decoded.error().code, "token_malformed");
  }
}

TEST(EnrollToken, RefusesOversizedInput) {
  expect_malformed("phx1." + std::string(kMaxEnrollTokenBytes, 'A'), "too long");
}

TEST(EnrollToken, RefusesWrongJsonShape) {
  expect_malformed("phx1." + base64url_encode("not json"), "JSON object");
  expect_malformed(token_of_json(nlohmann::json::array()), "JSON object");

  auto extra = nlohmann::json{{"hub", "wss://h:8443"}, {"ca", kHex64}, {"vm", "vm1"}, {"secret", kHex64}};
  extra["admin"] = "yes";
  expect_malformed(token_of_json(extra), "unexpected field");

  auto missing = nlohmann::json{{"hub", "wss://h:8443"}, {"ca", kHex64}, {"vm", "vm1"}};
  expect_malformed(token_of_json(missing), "secret");

  auto number = nlohmann::json{{"hub", "wss://h:8443"}, {"ca", kHex64}, {"vm", 7}, {"secret", kHex64}};
  expect_malformed(token_of_json(number), "not a string");
}

TEST(EnrollToken, RefusesBadFieldValues) {
  auto with = [&](const char* key, const std::string& value) {
    nlohmann::json body{{"hub", "wss://h:8443"}, {"ca", kHex64}, {"vm", "vm1"}, {"secret", kHex64}};
    body[key] = value;
    return token_of_json(body);
  };
  ASSERT_TRUE(decode_enroll_token(with("vm", "vm1")));
  expect_malformed(with("hub", "https://h:8443"), "wss://");
  expect_malformed(with("hub", "wss://"), "wss://");
  expect_malformed(with("ca", std::string(64, 'A')), "CA fingerprint");
  expect_malformed(with("ca", std::string(63, 'a')), "CA fingerprint");
  expect_malformed(with("secret", std::string(64, 'g')), "secret");
  expect_malformed(with("vm", ""), "VM name");
  expect_malformed(with("vm", "../etc"), "VM name");
  expect_malformed(with("vm", std::string(65, 'a')), "VM name");
  expect_malformed(with("vm", "vm 1"), "VM name");
}

}  // namespace
}  // namespace phoenix::protocol
