// The whole enrollment story over loopback with the real binaries: phoenix-hub init / serve /
// token create / revoke, phoenix-agent enroll / run, fake-tart as tart. The agent runs with
// its test-only backoff overrides (100 ms start, 500 ms cap), so reconnects take well under
// a second instead of up to 60 s; every wait below is a bounded poll.
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/e2e/loopback_hub_config.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <thread>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class HubAgentE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    agent_port_ = free_port();
    ASSERT_NE(api_port_, 0);
    ASSERT_NE(agent_port_, 0);
    std::filesystem::create_directories(tart_home_);
    for (const auto& vm : {"vm1", "vm2"}) ASSERT_EQ(tart({"create", vm, "--linux"}), 0);
    write_text_file(config_, loopback_hub_config(api_port_, agent_port_).dump(2));
    ASSERT_EQ(run_program_output({PHOENIX_HUB_BINARY, "init", "--state-dir", state_, "--config", config_},
                                 dir_.path() + "/init.out", dir_.path() + "/init.err"),
              0)
        << read_text_file(dir_.path() + "/init.err");
    start_hub();
  }

  void TearDown() override {
    if (HasFailure()) {
      if (hub_) std::cerr << "--- hub log ---\n" << hub_->log();
      for (const auto& [name, agent] : agents_) std::cerr << "--- agent " << name << " log ---\n" << agent->log();
    }
    agents_.clear();
    hub_.reset();
    for (const auto& vm : {"vm1", "vm2"}) tart({"stop", vm, "--timeout", "1"});
  }

  int tart(std::vector<std::string> args) {
    args.insert(args.begin(), FAKE_TART_BINARY);
    return run_program(args, {{"TART_HOME", tart_home_}});
  }

  void start_hub() {
    hub_ = std::make_unique<HubProcess>(std::vector<std::string>{"--config", config_, "--state-dir", state_},
                                        Env{{"TART_HOME", tart_home_}},
                                        dir_.path() + "/hub-" + std::to_string(++hub_starts_) + ".log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
    ASSERT_EQ(hub_->port(), api_port_);
    ASSERT_EQ(hub_->agent_port(), agent_port_);
  }

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {}) {
    Headers headers;
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http_call(api_port_, method, target, headers, body, 10s);
  }

  // `phoenix-hub token create` (the CLI); the token is its stdout's last line.
  std::string cli_token(const std::string& vm) {
    const auto out = dir_.path() + "/token-" + vm + ".out";
    const int rc = run_program_output({PHOENIX_HUB_BINARY, "token", "create", "--vm", vm, "--state-dir", state_,
                                       "--config", config_},
                                      out, dir_.path() + "/token-" + vm + ".err");
    EXPECT_EQ(rc, 0) << read_text_file(dir_.path() + "/token-" + vm + ".err");
    auto text = read_text_file(out);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  }

  // POST /enroll-tokens (the API).
  std::string api_token(const std::string& vm) {
    const auto reply = call("POST", "/enroll-tokens", json{{"vm", vm}, {"ttl_s", 600}}.dump());
    EXPECT_EQ(reply.status, 201) << reply.body;
    EXPECT_EQ(reply.json().value("vm", ""), vm);
    return reply.json().value("token", "");
  }

  std::string agent_dir(const std::string& vm) {
    const auto dir = dir_.path() + "/agent-" + vm;
    std::filesystem::create_directories(dir + "/root");
    if (!std::filesystem::exists(dir + "/agent.json")) write_text_file(dir + "/agent.json", "{}\n");
    return dir;
  }

  int enroll(const std::string& vm, const std::string& token) {
    const auto dir = agent_dir(vm);
    return run_program_output({PHOENIX_AGENT_BINARY, "enroll", "--token", token, "--state-dir", dir + "/state",
                               "--config", dir + "/agent.json"},
                              dir + "/enroll.out", dir + "/enroll.err");
  }

  void run_agent(const std::string& vm) {
    const auto dir = agent_dir(vm);
    agents_[vm] = std::make_unique<ChildProcess>(
        std::vector<std::string>{PHOENIX_AGENT_BINARY, "run", "--state-dir", dir + "/state", "--config",
                                 dir + "/agent.json", "--root", dir + "/root", "--users", "root",
                                 "--docker-socket", dir + "/missing-docker.sock", "--backoff-start-ms", "100",
                                 "--backoff-cap-ms", "500", "--state-interval-ms", "300"},
        Env{}, dir + "/run.log");
  }

  json agent(const std::string& vm) { return call("GET", "/agents/" + vm).json(); }
  bool connected(const std::string& vm) { return agent(vm).value("connected", false); }

  // Enrolled and connected, with its hello recorded.
  void enroll_and_run(const std::string& vm, const std::string& token) {
    ASSERT_FALSE(token.empty());
    ASSERT_EQ(enroll(vm, token), 0) << read_text_file(agent_dir(vm) + "/enroll.err");
    run_agent(vm);
    ASSERT_TRUE(eventually([&] { return connected(vm) && agent(vm)["state"].is_object(); }, 15s))
        << agent(vm).dump();
  }

  TempDir dir_;
  std::string tart_home_ = dir_.path() + "/tart";
  std::string state_ = dir_.path() + "/hub-state";
  std::string config_ = dir_.path() + "/hub.json";
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  int hub_starts_ = 0;
  std::unique_ptr<HubProcess> hub_;
  std::map<std::string, std::unique_ptr<ChildProcess>> agents_;
};

TEST_F(HubAgentE2eTest, EnrolledAgentShowsUpInAgentsAndOnItsVm) {
  enroll_and_run("vm1", cli_token("vm1"));
  const auto agents = call("GET", "/agents");
  ASSERT_EQ(agents.status, 200) << agents.body;
  ASSERT_EQ(agents.json().size(), 1u) << agents.body;
  const auto vm1 = agents.json()[0];
  EXPECT_EQ(vm1["name"], "vm1");
  EXPECT_EQ(vm1["connected"], true);
  EXPECT_EQ(vm1["revoked"], false);
  EXPECT_FALSE(vm1["cert_serial"].get<std::string>().empty());
  EXPECT_EQ(vm1["state"]["vm"], "vm1");
  EXPECT_EQ(vm1["state"]["docker"]["reachable"], false) << vm1.dump();

  const auto vms = call("GET", "/vms").json();
  ASSERT_TRUE(vms.is_array()) << vms.dump();
  for (const auto& vm : vms) {
    if (vm["name"] == "vm1") {
      EXPECT_EQ(vm["agent"]["enrolled"], true);
      EXPECT_EQ(vm["agent"]["connected"], true);
      EXPECT_EQ(vm["agent"]["docker"]["reachable"], false);
      EXPECT_EQ(vm["agent"]["certs"]["identity"]["serial"], vm1["cert_serial"]) << vm.dump();
    } else {
      EXPECT_TRUE(vm["agent"].is_null()) << vm.dump();
    }
  }
  EXPECT_TRUE(call("GET", "/vms/vm2").json()["agent"].is_null());
  EXPECT_EQ(call("GET", "/agents/vm2").status, 404);

  // A token from the API enrolls too, and a spent token does not enroll twice.
  const auto token = api_token("vm2");
  enroll_and_run("vm2", token);
  EXPECT_EQ(call("GET", "/vms/vm2").json()["agent"]["connected"], true);
  EXPECT_NE(enroll("vm2", token), 0);
}

TEST_F(HubAgentE2eTest, ApiRevokeClosesTheChannelAndRefusesReconnects) {
  enroll_and_run("vm1", cli_token("vm1"));
  const auto revoked = call("POST", "/agents/vm1/revoke");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json()["revoked"], true);
  EXPECT_TRUE(eventually([&] { return !connected("vm1"); }, 5s)) << agent("vm1").dump();
  // The agent keeps retrying every ≤ 500 ms; three seconds of refusals, never a connection.
  for (int i = 0; i < 30; ++i) {
    ASSERT_FALSE(connected("vm1")) << "a revoked agent got back in";
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(agents_["vm1"]->running()) << "the agent keeps trying (the operator may re-enroll it)";
  EXPECT_EQ(call("POST", "/agents/nope/revoke").status, 404);
}

TEST_F(HubAgentE2eTest, CliRevokeDisconnectsALiveAgentWithinSeconds) {
  enroll_and_run("vm2", api_token("vm2"));
  ASSERT_EQ(run_program_output({PHOENIX_HUB_BINARY, "revoke", "--vm", "vm2", "--state-dir", state_, "--config",
                                config_},
                               dir_.path() + "/revoke.out", dir_.path() + "/revoke.err"),
            0)
      << read_text_file(dir_.path() + "/revoke.err");
  // The hub polls the store every 2 s.
  EXPECT_TRUE(eventually([&] { return !connected("vm2"); }, 6s)) << agent("vm2").dump();
  EXPECT_EQ(agent("vm2")["revoked"], true);
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(connected("vm2"));
}

TEST_F(HubAgentE2eTest, HubRestartKeepsTheRegistryAndTheAgentComesBack) {
  enroll_and_run("vm1", cli_token("vm1"));
  const auto before = agent("vm1");
  ASSERT_EQ(hub_->terminate(SIGTERM), 0) << hub_->log();
  EXPECT_NE(hub_->log().find("shutting down"), std::string::npos);
  EXPECT_TRUE(agents_["vm1"]->running());

  start_hub();
  // The store says disconnected until the agent is back; backoff cap 500 ms here.
  ASSERT_TRUE(eventually([&] { return connected("vm1"); }, 10s)) << agent("vm1").dump();
  const auto after = agent("vm1");
  EXPECT_EQ(after["cert_serial"], before["cert_serial"]);
  EXPECT_EQ(after["first_seen"], before["first_seen"]);
  EXPECT_EQ(after["revoked"], false);
  EXPECT_EQ(after["state"]["docker"]["reachable"], false);
}

TEST_F(HubAgentE2eTest, EnrollTokenRouteRefusesBadRequests) {
  EXPECT_EQ(call("POST", "/enroll-tokens", R"({"vm":"vm1","ttl_s":5})").status, 400);
  EXPECT_EQ(call("POST", "/enroll-tokens", R"({"vm":"../etc"})").status, 400);
  EXPECT_EQ(call("POST", "/enroll-tokens", "not json").status, 400);
  EXPECT_EQ(call("POST", "/enroll-tokens", std::string(70 * 1024, 'x')).status, 413);
}

}  // namespace
}  // namespace phoenix::test
