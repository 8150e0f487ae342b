// The embedded OpenAPI document is valid JSON and describes exactly the routes served.
#include "hub/api/openapi.hpp"
#include "hub/api/vm_routes.hpp"
#include "tests/hub/api/fake_vm_service.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace phoenix::hub::api {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(OpenApi, IsAnOpenApi3Document) {
  const auto doc = nlohmann::json::parse(openapi_document(), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.0", 0), 0u);
  EXPECT_TRUE(doc["paths"].is_object());
}

TEST(OpenApi, EveryServedRouteIsDocumentedAndNothingElse) {
  const auto doc = nlohmann::json::parse(openapi_document(), nullptr, false);
  const auto router = make_api_router(std::make_shared<test::FakeVmService>(), {"0", "tart"},
                                      std::make_shared<AgentApi>(), std::make_shared<RotationApi>(),
                                      std::make_shared<SwarmService>(boost::asio::system_executor(), nullptr, nullptr,
                                                                     SwarmSettings{}),
                                      std::make_shared<Metrics>(), std::make_shared<EventBus>());
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : router->routes()) {
    const auto method = lower(std::string(http::beast_http::to_string(route.method)));
    served.emplace(route.pattern, method);
    ASSERT_TRUE(doc["paths"].contains(route.pattern)) << route.pattern;
    EXPECT_TRUE(doc["paths"][route.pattern].contains(method)) << method << " " << route.pattern;
    // Only the open route says it needs no security.
    const auto& op = doc["paths"][route.pattern][method];
    EXPECT_EQ(op.contains("security") && op["security"].empty(), route.open) << route.pattern;
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [key, op] : item.items()) {
      if (key == "parameters") continue;
      EXPECT_TRUE(served.count({path, key})) << "documented but not served: " << key << " " << path;
      EXPECT_TRUE(op.contains("responses")) << path;
    }
  }
}

// docs/hub-api.md is the reference people read: its route table names every operation of the
// document (`GET /vms`), so the two cannot drift apart unnoticed.
TEST(OpenApi, TheWrittenReferenceListsEveryOperation) {
  std::ifstream in(PHOENIX_SOURCE_DIR "/docs/hub-api.md");
  ASSERT_TRUE(in) << "docs/hub-api.md";
  std::stringstream text;
  text << in.rdbuf();
  const std::string reference = text.str();
  const auto doc = nlohmann::json::parse(openapi_document(), nullptr, false);
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [key, op] : item.items()) {
      if (key == "parameters") continue;
      std::string method = key;
      std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
      // The row's first cell is the operation itself, perhaps with a query: `GET /vms/{name}/ip?wait=N`.
      const auto row = "| `" + method + " " + path;
      bool found = false;
      for (auto at = reference.find(row); at != std::string::npos && !found; at = reference.find(row, at + 1)) {
        const char next = reference[at + row.size()];
        found = next == '`' || next == '?';
      }
      EXPECT_TRUE(found) << "docs/hub-api.md has no row for " << method << " " << path;
    }
  }
}

TEST(OpenApi, EveryReferenceResolves) {
  const auto doc = nlohmann::json::parse(openapi_document(), nullptr, false);
  const auto flat = doc.flatten();
  for (const auto& [pointer, value] : flat.items()) {
    if (pointer.size() < 5 || pointer.substr(pointer.size() - 5) != "/$ref") continue;
    const auto ref = value.get<std::string>();
    ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
    EXPECT_TRUE(doc.contains(nlohmann::json::json_pointer(ref.substr(1)))) << ref;
  }
}

}  // namespace
}  // namespace phoenix::hub::api
