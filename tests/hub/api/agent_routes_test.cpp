// The agent routes and the VM merge through the dispatcher, against a real HubStore in a
// temp state dir made by initialize_hub (so token issuing reads a real identity CA) and an
// AgentRegistry with fake links. run_blocking runs inline, so answers are synchronous.
#include "hub/admin/hub_init.hpp"
#include "hub/api/agent_routes.hpp"
#include "hub/api/revocation_watcher.hpp"
#include "hub/api/vm_routes.hpp"
#include "hub/http/dispatcher.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/protocol/enroll_token.hpp"
#include "tests/hub/api/fake_vm_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <random>

namespace phoenix::hub::api {
namespace {

using http::Status;
using http::Verb;
using nlohmann::json;

class FakeLink : public AgentLink {
 public:
  void close(std::uint16_t code, std::string) override { closed_with = code; }
  void send_command(protocol::MessageType, json, CommandCallback done, std::chrono::milliseconds) override {
    done(json::object());
  }
  int closed_with = 0;
};

const json kHello = {{"agent_version", "0.1.0"},
                     {"vm", "alpha"},
                     {"docker", {{"reachable", false}, {"version", nullptr}, {"api_version", nullptr}, {"error", "no socket"}}},
                     {"certs", {{"identity", {{"serial", "AB"}, {"not_after", "2026-12-02T10:00:00Z"}}}}},
                     {"contexts", json::array()},
                     {"docker_host_findings", json::array({{{"file", "/etc/environment"}, {"line", 3}}})},
                     {"swarm", {{"node_id", ""}, {"state", "inactive"}, {"control_available", false}}}};

class AgentRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("phoenix-agent-routes-" + std::to_string(std::random_device{}()));
    InitOptions init;
    init.state_dir = dir_.string() + "/state";
    init.config_path = dir_.string() + "/hub.json";
    init.hostname = "";
    ASSERT_TRUE(initialize_hub(files_, init));
    auto store = HubStore::open(hub_paths(init.state_dir).database);
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    registry_ = std::make_shared<AgentRegistry>(ioc_.get_executor(), store_);

    api_ = std::make_shared<AgentApi>();
    api_->registry = registry_;
    api_->store = store_;
    api_->fs = std::make_shared<fs::RealFileSystem>();
    api_->identity_ca_cert_path = hub_paths(init.state_dir).identity_ca_cert;
    api_->public_url = "wss://hub.test:8443";
    api_->run_blocking = [](std::function<void()> work) { work(); };
    api_->now = [this] { return now_; };

    service_->add("alpha", true);
    service_->add("beta", false);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void enroll(const std::string& name, const std::string& serial) {
    ASSERT_TRUE(store_->record_enrollment(name, serial, now_ + std::chrono::hours(24 * 7), now_));
  }

  http::Response call(Verb verb, const std::string& target, const std::string& body = {}) {
    http::Dispatcher dispatcher(make_api_router(service_, {"9.9.9", "tart"}, api_),
                                std::make_shared<http::TokenAuth>(), http::HostAllowList{});
    http::Request req{verb, target, 11};
    req.body() = body;
    std::optional<http::Response> answer;
    dispatcher.handle(req, [&](http::Response res) { answer = std::move(res); });
    EXPECT_TRUE(answer) << target;
    return answer.value_or(http::Response{});
  }
  static json body(const http::Response& res) { return json::parse(res.body(), nullptr, false); }
  static std::string code(const http::Response& res) { return body(res)["error"].value("code", ""); }

  std::filesystem::path dir_;
  fs::RealFileSystem files_;
  boost::asio::io_context ioc_;
  std::shared_ptr<HubStore> store_;
  std::shared_ptr<AgentRegistry> registry_;
  std::shared_ptr<AgentApi> api_;
  std::shared_ptr<test::FakeVmService> service_ = std::make_shared<test::FakeVmService>();
  StoreTime now_ = from_unix_seconds(1'790'000'000);
};

TEST_F(AgentRoutesTest, ListsAgentsWithLiveStateAndConnection) {
  enroll("alpha", "AB");
  enroll("zeta", "CD");
  auto link = std::make_shared<FakeLink>();
  registry_->attach("alpha", link, "AB", now_);
  registry_->update_state("alpha", link.get(), kHello);

  const auto res = call(Verb::get, "/agents");
  ASSERT_EQ(res.result(), Status::ok) << res.body();
  const auto agents = body(res);
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0]["name"], "alpha");
  EXPECT_EQ(agents[0]["connected"], true);
  EXPECT_EQ(agents[0]["cert_serial"], "AB");
  EXPECT_EQ(agents[0]["revoked"], false);
  EXPECT_EQ(agents[0]["first_seen"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(agents[0]["state"]["docker"]["reachable"], false);
  EXPECT_EQ(agents[1]["name"], "zeta");
  EXPECT_EQ(agents[1]["connected"], false);
  EXPECT_TRUE(agents[1]["state"].is_null());
}

TEST_F(AgentRoutesTest, OneAgentOr404OrBadName) {
  enroll("alpha", "AB");
  EXPECT_EQ(body(call(Verb::get, "/agents/alpha"))["name"], "alpha");
  const auto missing = call(Verb::get, "/agents/nope");
  EXPECT_EQ(missing.result(), Status::not_found);
  EXPECT_EQ(code(missing), "agent_not_found");
  EXPECT_EQ(call(Verb::get, "/agents/%2e%2e").result(), Status::bad_request);
}

TEST_F(AgentRoutesTest, RevokeClosesTheLiveConnectionAndDeniesTheSerial) {
  enroll("alpha", "AB");
  auto link = std::make_shared<FakeLink>();
  registry_->attach("alpha", link, "AB", now_);
  const auto res = call(Verb::post, "/agents/alpha/revoke");
  ASSERT_EQ(res.result(), Status::ok) << res.body();
  EXPECT_EQ(body(res)["revoked"], true);
  EXPECT_EQ(link->closed_with, 1008);
  EXPECT_TRUE(*store_->is_revoked_serial("AB"));
  EXPECT_EQ(code(call(Verb::post, "/agents/nope/revoke")), "agent_not_found");
}

TEST_F(AgentRoutesTest, EnrollTokenIsIssuedAndStoredHashed) {
  const auto res = call(Verb::post, "/enroll-tokens", R"({"vm":"alpha","ttl_s":600})");
  ASSERT_EQ(res.result(), Status::created) << res.body();
  const auto answer = body(res);
  EXPECT_EQ(answer["vm"], "alpha");
  EXPECT_EQ(answer["expires_at"], "2026-09-21T14:23:20Z");
  auto token = protocol::decode_enroll_token(answer["token"].get<std::string>());
  ASSERT_TRUE(token);
  EXPECT_EQ(token->vm, "alpha");
  EXPECT_EQ(token->hub_url, "wss://hub.test:8443");
  // Default TTL one hour.
  EXPECT_EQ(body(call(Verb::post, "/enroll-tokens", R"({"vm":"beta"})"))["expires_at"], "2026-09-21T15:13:20Z");
}

TEST_F(AgentRoutesTest, EnrollTokenRefusesBadBodies) {
  for (const std::string bad : {"", "[]", "{", R"({"vm":1})", R"({"ttl_s":60})", R"({"vm":"a","extra":1})"}) {
    const auto res = call(Verb::post, "/enroll-tokens", bad);
    EXPECT_EQ(res.result(), Status::bad_request) << bad;
    EXPECT_EQ(code(res), "invalid_request") << bad;
  }
  EXPECT_EQ(code(call(Verb::post, "/enroll-tokens", R"({"vm":"../x"})")), "invalid_name");
  for (const std::string ttl : {"59", "604801", "-1", "1.5", "\"60\"", "null"}) {
    const auto res = call(Verb::post, "/enroll-tokens", R"({"vm":"a","ttl_s":)" + ttl + "}");
    EXPECT_EQ(code(res), "invalid_ttl") << ttl;
  }
  EXPECT_EQ(call(Verb::post, "/enroll-tokens", R"({"vm":"a","ttl_s":604800})").result(), Status::created);
}

TEST_F(AgentRoutesTest, EnrollTokenWithoutPublicUrlIsAConflict) {
  api_->public_url.reset();
  const auto res = call(Verb::post, "/enroll-tokens", R"({"vm":"alpha"})");
  EXPECT_EQ(res.result(), Status::conflict);
  EXPECT_EQ(code(res), "hub_url_unset");
}

TEST_F(AgentRoutesTest, VmsCarryTheirAgentFactsOrNull) {
  enroll("alpha", "AB");
  auto link = std::make_shared<FakeLink>();
  registry_->attach("alpha", link, "AB", now_);
  registry_->update_state("alpha", link.get(), kHello);

  const auto list = body(call(Verb::get, "/vms"));
  ASSERT_EQ(list.size(), 2u);
  const auto& agent = list[0]["agent"];
  EXPECT_EQ(agent["enrolled"], true);
  EXPECT_EQ(agent["connected"], true);
  EXPECT_EQ(agent["docker"]["reachable"], false);
  EXPECT_EQ(agent["certs"]["identity"]["serial"], "AB");
  EXPECT_EQ(agent["swarm"]["state"], "inactive");
  EXPECT_EQ(agent["docker_host_findings"].size(), 1u);
  EXPECT_TRUE(list[1].contains("agent"));
  EXPECT_TRUE(list[1]["agent"].is_null());

  registry_->detach("alpha", link.get());
  const auto one = body(call(Verb::get, "/vms/alpha"));
  EXPECT_EQ(one["agent"]["connected"], false);
  EXPECT_TRUE(one["agent"]["docker"].is_null()) << "the store has no state: update_state is in-memory";
  EXPECT_EQ(call(Verb::get, "/vms/nope").result(), Status::not_found);
}

TEST_F(AgentRoutesTest, RevocationWatcherClosesOnlyRevokedLiveAgents) {
  enroll("alpha", "AB");
  enroll("beta", "CD");
  auto alpha = std::make_shared<FakeLink>();
  auto beta = std::make_shared<FakeLink>();
  registry_->attach("alpha", alpha, "AB", now_);
  registry_->attach("beta", beta, "CD", now_);
  ASSERT_EQ(*close_revoked_sessions(*store_, *registry_), 0);
  ASSERT_TRUE(store_->revoke("beta", now_));  // as `phoenix-hub revoke` would, from another process
  EXPECT_EQ(*close_revoked_sessions(*store_, *registry_), 1);
  EXPECT_EQ(beta->closed_with, 1008);
  EXPECT_EQ(alpha->closed_with, 0);
}

}  // namespace
}  // namespace phoenix::hub::api
