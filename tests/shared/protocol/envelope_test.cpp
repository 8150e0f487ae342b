#include "shared/protocol/envelope.hpp"

#include <gtest/gtest.h>

#include <string>

namespace phoenix::protocol {
namespace {

std::string code_of(std::string_view text) {
  auto r = decode(text);
  return r ? "ok" : r.error().code;
}

TEST(Envelope, RoundTripsEveryField) {
  Envelope env = make_result("a-2", "h-1", {{"serial", "0A"}});
  auto decoded = decode(encode(env));
  ASSERT_TRUE(decoded) << decoded.error().to_string();
  EXPECT_EQ(decoded->version, 1);
  EXPECT_EQ(decoded->type, "result");
  EXPECT_EQ(decoded->kind(), MessageType::result);
  EXPECT_EQ(decoded->id, "a-2");
  EXPECT_EQ(decoded->re, "h-1");
  EXPECT_EQ(decoded->body["serial"], "0A");
}

TEST(Envelope, BodyDefaultsToEmptyObject) {
  auto d = decode(R"({"v":1,"type":"hello","id":"1"})");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->body.is_object());
  EXPECT_TRUE(d->body.empty());
  EXPECT_FALSE(d->re.has_value());
}

TEST(Envelope, UnknownTypeIsSurfacedNotRejected) {
  auto d = decode(R"({"v":1,"type":"teleport","id":"7","body":{}})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind(), MessageType::unknown);
  EXPECT_EQ(d->type, "teleport");
  // The literal string "unknown" is not a real type either.
  EXPECT_EQ(decode(R"({"v":1,"type":"unknown","id":"7"})")->kind(), MessageType::unknown);
}

TEST(Envelope, RejectsOversizedInputBeforeParsing) {
  std::string big = R"({"v":1,"type":"state","id":"1","body":{"x":")" + std::string(kMaxMessageBytes, 'a') + "\"}}";
  auto r = decode(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "too_large");
}

TEST(Envelope, RejectsInvalidJson) {
  EXPECT_EQ(code_of(""), "invalid_json");
  EXPECT_EQ(code_of("{"), "invalid_json");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"1",})"), "invalid_json");
  EXPECT_EQ(code_of("\xff\xfe"), "invalid_json");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"1"} trailing)"), "invalid_json");
}

TEST(Envelope, RejectsWrongFieldTypes) {
  EXPECT_EQ(code_of("[]"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":"1","type":"hello","id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1.5,"type":"hello","id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":7,"id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":1})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"1","re":null})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"1","body":[]})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"1","extra":true})"), "invalid_envelope");
}

TEST(Envelope, RejectsMissingAndMalformedRequiredFields) {
  EXPECT_EQ(code_of(R"({"type":"hello","id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"","id":"1"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":"has space"})"), "invalid_envelope");
  EXPECT_EQ(code_of(R"({"v":1,"type":"hello","id":")" + std::string(129, 'x') + "\"}"), "invalid_envelope");
}

TEST(Envelope, RejectsOtherProtocolVersions) {
  auto r = decode(R"({"v":2,"type":"hello","id":"1"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unsupported_version");
  EXPECT_NE(r.error().message.find("speaks 1"), std::string::npos);
}

TEST(Envelope, RejectsDeepNestingWithoutRecursing) {
  // 100k levels would overflow a recursive parser's stack; the pre-check refuses it in O(n).
  std::string deep = R"({"v":1,"type":"state","id":"1","body":{"x":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}}";
  auto r = decode(deep);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "too_deep");
}

TEST(Envelope, ErrorReplyCarriesCodeAndMessage) {
  Envelope e = make_error_reply("h-9", "a-3", "unknown_type", "type \"teleport\" is not supported");
  auto d = decode(encode(e));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind(), MessageType::error);
  EXPECT_EQ(d->re, "a-3");
  EXPECT_EQ(d->body["code"], "unknown_type");
  EXPECT_FALSE(decode(encode(make_error_reply("h-10", "", "bad", "x")))->re.has_value());
}

TEST(Envelope, EncodeSurvivesInvalidUtf8InBody) {
  Envelope env = make_message(MessageType::state, "s-1", {{"file", std::string("/etc/\xff")}});
  auto d = decode(encode(env));
  ASSERT_TRUE(d);
}

TEST(MessageTypes, NamesRoundTrip) {
  for (auto t : {MessageType::hello, MessageType::state, MessageType::rotate_docker_tls, MessageType::swarm_join,
                 MessageType::result, MessageType::error}) {
    EXPECT_EQ(parse_message_type(to_string(t)), t);
  }
}

}  // namespace
}  // namespace phoenix::protocol
