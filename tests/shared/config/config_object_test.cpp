#include "shared/config/config_object.hpp"

#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::config {
namespace {

ConfigObject parse(const std::string& text) {
  return ConfigObject(nlohmann::json::parse(text), "hub.json");
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigObject, ReadsTypedValuesWithDefaults) {
  auto c = parse(R"({"api":{"listen":"127.0.0.1:8082"},"tart":{"list_cache_ms":500},"swarm":{"auto_join":false}})");
  EXPECT_EQ(c.object("api").string("listen", "x"), "127.0.0.1:8082");
  EXPECT_EQ(c.object("tart").integer("list_cache_ms", 1000, 0, 60000), 500);
  EXPECT_EQ(c.object("tart").string("path", "/opt/homebrew/bin/tart"), "/opt/homebrew/bin/tart");
  EXPECT_FALSE(c.object("swarm").boolean("auto_join", true));
  EXPECT_EQ(c.object("missing").integer("n", 7, 0, 10), 7);
}

TEST(ConfigObject, WrongTypeNamesFileAndFullKey) {
  auto c = parse(R"({"api":{"listen":8082}})");
  EXPECT_EQ(error_of([&] { c.object("api").string("listen", ""); }),
            "hub.json: api.listen: expected a string, got a number");
}

TEST(ConfigObject, OutOfRangeAndNonIntegerAreRefused) {
  auto c = parse(R"({"tart":{"list_cache_ms":-5,"x":1.5}})");
  EXPECT_EQ(error_of([&] { c.object("tart").integer("list_cache_ms", 1000, 0, 60000); }),
            "hub.json: tart.list_cache_ms: must be between 0 and 60000, got -5");
  EXPECT_NE(error_of([&] { c.object("tart").integer("x", 1, 0, 9); }).find("tart.x: expected a whole number"),
            std::string::npos);
}

TEST(ConfigObject, UnknownKeysAreRefusedWithTheKnownOnesListed) {
  auto c = parse(R"({"api":{"lisen":"x"}})");
  const auto msg = error_of([&] { c.object("api").reject_unknown_keys({"listen", "tokens"}); });
  EXPECT_EQ(msg, "hub.json: api.lisen: unknown key (known keys here: listen, tokens)");
}

TEST(ConfigObject, ArraysOfObjectsCarryTheirIndexInErrors) {
  auto c = parse(R"({"netns":{"vms":[{"name":"vm1"},{"name":2}]}})");
  auto vms = c.object("netns").objects("vms");
  ASSERT_EQ(vms.size(), 2u);
  EXPECT_EQ(vms[0].required_string("name"), "vm1");
  EXPECT_EQ(error_of([&] { vms[1].required_string("name"); }),
            "hub.json: netns.vms[1].name: expected a string, got a number");
  EXPECT_EQ(error_of([&] { vms[0].required_string("address"); }), "hub.json: netns.vms[0].address: is required");
}

TEST(ConfigObject, StringListsAreTypeChecked) {
  auto c = parse(R"({"users":["root","alice"],"bad":["x",1]})");
  EXPECT_EQ(c.strings("users"), (std::vector<std::string>{"root", "alice"}));
  EXPECT_EQ(error_of([&] { c.strings("bad"); }), "hub.json: bad[1]: expected a string, got a number");
}

TEST(ConfigObject, TopLevelMustBeAnObject) {
  EXPECT_EQ(error_of([] { parse("[1,2]"); }), "hub.json: top level: expected an object, got an array");
}

TEST(LoadJsonFile, SyntaxErrorsAndMissingFilesNameTheFile) {
  fs::FakeFileSystem fs;
  fs.put("/etc/phoenix/hub.json", "{\"api\": {,}");
  EXPECT_NE(error_of([&] { load_json_file(fs, "/etc/phoenix/hub.json"); })
                .find("/etc/phoenix/hub.json: invalid JSON at byte"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_json_file(fs, "/etc/phoenix/agent.json"); }).find("/etc/phoenix/agent.json"),
            std::string::npos);
  fs.put("/ok.json", "{\"a\":1}");
  EXPECT_EQ(load_json_file(fs, "/ok.json")["a"], 1);
}

// Found by the hub_config fuzz target: a number too large for a double made nlohmann throw
// out_of_range (not a parse_error), which escaped as an unexplained exception.
TEST(LoadJsonFile, ANumberOutOfRangeIsAConfigErrorNamingTheFile) {
  fs::FakeFileSystem fs;
  fs.put("/etc/phoenix/hub.json", "{\"rotation\": {\"offline_deadline_s\": 1e400}}");
  EXPECT_THROW(load_json_file(fs, "/etc/phoenix/hub.json"), ConfigError);
  EXPECT_NE(error_of([&] { load_json_file(fs, "/etc/phoenix/hub.json"); }).find("/etc/phoenix/hub.json: "),
            std::string::npos);
}

}  // namespace
}  // namespace phoenix::config
