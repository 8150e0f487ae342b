// The real `phoenix-hub serve` binary with fake-tart, over real HTTP on loopback.
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;

const std::string kReadToken = "read-token-0123456789abcdef";
const std::string kWriteToken = "write-token-0123456789abcdef";

class HubServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(tart_home_);
    std::filesystem::create_directories(state_);
    ASSERT_EQ(init_hub_state(state_, dir_.path() + "/init-hub.json"), 0);
    for (const auto& vm : {"vm1", "vm2"}) ASSERT_EQ(tart({"create", vm, "--linux"}), 0);
    // A cached OCI image: tart lists it, but it is not a VM.
    const auto oci = tart_home_ + "/cache/OCIs/ghcr.io/cirruslabs/ubuntu/latest";
    std::filesystem::create_directories(oci);
    write_text_file(oci + "/config.json", "{}");
  }

  void TearDown() override {
    if (hub_ && HasFailure()) std::cerr << "--- hub log ---\n" << hub_->log();
    hub_.reset();
    // VMs the hub started run detached from it: stop them so no process outlives the test.
    for (const auto& vm : {"vm1", "vm2"}) tart({"stop", vm, "--timeout", "1"});
  }

  int tart(std::vector<std::string> args) {
    args.insert(args.begin(), FAKE_TART_BINARY);
    return run_program(args, {{"TART_HOME", tart_home_}});
  }

  void start_hub(Env env = {}, std::vector<std::string> args = {}) {
    env["TART_HOME"] = tart_home_;
    env["FAKE_TART_ARGV_LOG"] = argv_log_;
    std::vector<std::string> all{"--api-listen", "127.0.0.1:0", "--agent-listen", "127.0.0.1:0",
                                 "--state-dir", state_, "--tart", FAKE_TART_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    hub_ = std::make_unique<HubProcess>(all, env, dir_.path() + "/hub.log");
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }

  HttpReply call(const std::string& method, const std::string& target, const Headers& headers = {},
                 const std::string& body = {}) {
    return http_call(hub_->port(), method, target, headers, body, 30s);
  }

  std::vector<std::vector<std::string>> argv_lines() const {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(read_text_file(argv_log_));
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::vector<std::string> argv;
      for (std::string w; words >> w;) argv.push_back(w);
      out.push_back(argv);
    }
    return out;
  }

  std::size_t count_calls(const std::string& command) const {
    const auto lines = argv_lines();
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& argv) {
      return argv.size() > 1 && argv[1] == command;
    }));
  }

  TempDir dir_;
  std::string tart_home_ = dir_.path() + "/tart";
  std::string state_ = dir_.path() + "/state";
  std::string argv_log_ = dir_.path() + "/argv.log";
  std::unique_ptr<HubProcess> hub_;
};

TEST_F(HubServeTest, ListShowsLocalVmsOnly) {
  start_hub();
  const auto reply = call("GET", "/vms");
  ASSERT_EQ(reply.status, 200) << reply.body;
  std::set<std::string> names;
  for (const auto& vm : reply.json()) {
    names.insert(vm["name"].get<std::string>());
    EXPECT_EQ(vm["source"], "local");
  }
  EXPECT_EQ(names, (std::set<std::string>{"vm1", "vm2"}));
}

TEST_F(HubServeTest, StartStopLifecycleWithConflicts) {
  start_hub();
  const auto got = call("GET", "/vms/vm1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json()["running"], false);

  const auto started = call("POST", "/vms/vm1/start");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_EQ(started.json()["state"], "running");
  EXPECT_EQ(call("GET", "/vms/vm1").json()["running"], true);

  const auto again = call("POST", "/vms/vm1/start");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.error_code(), "already_running");

  const auto ip = call("GET", "/vms/vm1/ip?wait=1");
  EXPECT_EQ(ip.status, 200) << ip.body;

  const auto stopped = call("POST", "/vms/vm1/stop");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json()["running"], false);

  const auto stop_again = call("POST", "/vms/vm1/stop");
  EXPECT_EQ(stop_again.status, 409) << stop_again.body;
  EXPECT_EQ(stop_again.error_code(), "not_running");

  const auto unknown = call("GET", "/vms/nope");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.error_code(), "vm_not_found");
  EXPECT_EQ(call("POST", "/vms/nope/start").status, 404);
}

TEST_F(HubServeTest, HostileNamesAre400AndNeverReachTart) {
  start_hub();
  const std::string long_name(200, 'a');
  // Raw where the URL grammar allows the characters, percent-encoded where it must be.
  const std::vector<std::string> targets = {"..%2Fx", "a;id", "-rf", "$(id)", long_name, "%2e%2e%2f",
                                            "%24%28id%29", "a%3Bid"};
  for (const auto& name : targets) {
    for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{
             {"GET", ""}, {"POST", "/start"}, {"POST", "/stop"}, {"GET", "/ip"}}) {
      const auto reply = call(method, "/vms/" + name + suffix);
      EXPECT_EQ(reply.status, 400) << method << " " << name << suffix << ": " << reply.body;
      EXPECT_EQ(reply.error_code(), "invalid_name") << name;
    }
  }
  // Raw dot segments never resolve to another route: 400, not a 404 from a collapsed path.
  for (const std::string target : {"/vms/../x", "/vms/./x/start", "/vms/%2e%2e/x", "/vms/x/../../vms"}) {
    const auto reply = call("GET", target);
    EXPECT_EQ(reply.status, 400) << target << ": " << reply.body;
  }
  ASSERT_EQ(call("GET", "/vms").status, 200);  // one real call, to prove the log works
  const auto log = read_text_file(argv_log_);
  ASSERT_NE(log.find("list"), std::string::npos) << "the argv log records tart's calls:\n" << log;
  for (const std::string decoded : {"../x", "a;id", "-rf", "$(id)", "../"}) {
    EXPECT_EQ(log.find(decoded), std::string::npos) << decoded << " reached tart:\n" << log;
  }
  EXPECT_EQ(log.find(long_name), std::string::npos);
}

TEST_F(HubServeTest, MetricsCountRequestsAndTimeTartCalls) {
  start_hub();
  ASSERT_EQ(call("GET", "/vms").status, 200);
  ASSERT_EQ(call("GET", "/vms/nope").status, 404);
  const auto reply = call("GET", "/metrics");
  ASSERT_EQ(reply.status, 200);
  const auto& text = reply.body;
  EXPECT_NE(text.find("phoenix_http_requests_total{method=\"GET\",route=\"/vms\",status=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("phoenix_http_requests_total{method=\"GET\",route=\"/vms/{name}\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_count{command=\"list\",result=\"ok\"}"), std::string::npos)
      << text;
  EXPECT_NE(text.find("phoenix_agents_connected 0\n"), std::string::npos) << text;
}

TEST_F(HubServeTest, TheDashboardIsServedLockedToItsOwnOrigin) {
  start_hub();
  const auto page = call("GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>Phoenix fleet</title>"), std::string::npos);
  std::string csp;
  for (const auto& [name, value] : page.headers) {
    if (name == "Content-Security-Policy") csp = value;
  }
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << "the page may talk to its own origin only: " << csp;
  EXPECT_NE(csp.find("script-src 'sha256-"), std::string::npos) << "only the page's own script runs: " << csp;
  EXPECT_EQ(csp.find("script-src 'unsafe-inline'"), std::string::npos) << csp;
  // Another site's page in an operator's browser cannot start a VM.
  const auto forged = call("POST", "/vms/vm1/start", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.error_code(), "cross_origin");
  // DNS rebinding: evil.example now resolves to the hub, so Host and Origin agree.
  const auto rebound = call("POST", "/vms/vm1/start",
                            {{"Host", "evil.example:" + std::to_string(hub_->port())},
                             {"Origin", "http://evil.example:" + std::to_string(hub_->port())}});
  EXPECT_EQ(rebound.status, 421);
  EXPECT_EQ(rebound.error_code(), "unknown_host");
  EXPECT_EQ(count_calls("run"), 0u);
}

TEST_F(HubServeTest, ConcurrentListsShareTartCalls) {
  start_hub({{"FAKE_TART_DELAY_MS", "300"}});
  constexpr int kClients = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      if (http_call(hub_->port(), "GET", "/vms", {}, {}, 30s).status == 200) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), kClients);
  EXPECT_LE(count_calls("list"), 5u);
  EXPECT_GE(count_calls("list"), 1u);
}

TEST_F(HubServeTest, StalledClientDelaysNobody) {
  start_hub();
  ASSERT_EQ(call("GET", "/vms").status, 200);  // warm up before the staller arrives
  HttpConnection staller(hub_->port());
  ASSERT_TRUE(staller.send_raw("GET /vms HTTP/1.1\r\nHost: x\r\nX-Half: "));
  // Every call after the staller is timed: the header deadline is 10 s, so waiting behind
  // the staller would take far longer than the bound.
  for (const std::string target : {"/vms", "/vms/vm2"}) {
    const auto start = std::chrono::steady_clock::now();
    const auto reply = call("GET", target);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(reply.status, 200) << target;
    EXPECT_LT(took, 2s) << target << ": another client waited behind a stalled one";
  }
}

TEST_F(HubServeTest, OversizedBodyIs413AndStartsNothing) {
  start_hub();
  const auto reply = call("POST", "/vms/vm1/start", {}, std::string(64 * 1024 + 1, 'x'));
  EXPECT_EQ(reply.status, 413) << reply.failure;
  EXPECT_EQ(reply.error_code(), "body_too_large");
  EXPECT_EQ(count_calls("run"), 0u);
}

TEST_F(HubServeTest, TokensGuardEveryRouteButHealth) {
  const auto config = dir_.path() + "/hub.json";
  write_text_file(config, R"({"api": {"tokens": [{"token": ")" + kReadToken + R"(", "role": "read"},
                                                 {"token": ")" + kWriteToken + R"(", "role": "write"}]}})");
  start_hub({}, {"--config", config});

  const auto anonymous = call("GET", "/vms");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("WWW-Authenticate"), "Bearer realm=\"phoenix-hub\"");
  EXPECT_EQ(call("GET", "/vms", {{"Authorization", "Bearer wrong-token-0123456789"}}).status, 401);
  EXPECT_EQ(call("GET", "/health").status, 200);
  EXPECT_EQ(call("GET", "/vms", {{"Authorization", "Bearer " + kReadToken}}).status, 200);

  const auto forbidden = call("POST", "/vms/vm2/start", {{"Authorization", "Bearer " + kReadToken}});
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(forbidden.error_code(), "forbidden");
  EXPECT_EQ(count_calls("run"), 0u);

  const auto started = call("POST", "/vms/vm2/start", {{"Authorization", "Bearer " + kWriteToken}});
  EXPECT_EQ(started.status, 200) << started.body;

  // The event stream is a read route like the others.
  EXPECT_EQ(call("GET", "/events").status, 401);
  HttpConnection events(hub_->port(), 10s);
  ASSERT_TRUE(events.send_raw("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kReadToken +
                              "\r\n\r\n"));
  EXPECT_NE(events.read_until("event: hello").find("event: hello"), std::string::npos);
}

TEST_F(HubServeTest, TheEventStreamTellsOfVmChangesMadeThroughTheApiAndBehindItsBack) {
  start_hub();
  HttpConnection events(hub_->port(), 20s);
  ASSERT_TRUE(events.send_raw("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto seen = events.read_until("event: hello");
  ASSERT_NE(seen.find("event: hello"), std::string::npos) << seen;
  EXPECT_NE(seen.find("Content-Type: text/event-stream"), std::string::npos) << seen;

  // Through the API: announced once the start is done.
  auto from = seen.size();
  ASSERT_EQ(call("POST", "/vms/vm1/start").status, 200);
  seen = events.read_until("event: vms", from);
  ASSERT_NE(seen.find("event: vms", from), std::string::npos) << seen.substr(from);

  // Behind the hub's back (`tart stop` run by someone else): the fleet watcher notices. It
  // lists every 3 s; let one list see vm1 running first.
  std::this_thread::sleep_for(3500ms);
  from = seen.size();
  ASSERT_EQ(tart({"stop", "vm1", "--timeout", "1"}), 0);
  seen = events.read_until("event: vms", from);
  EXPECT_NE(seen.find("event: vms", from), std::string::npos) << "no event after an outside stop: " << seen.substr(from);
  EXPECT_EQ(call("GET", "/vms/vm1").json()["running"], false);

  // Another origin's page gets no stream.
  const auto forged = call("GET", "/events", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(forged.status, 403);
  EXPECT_EQ(forged.error_code(), "cross_origin");

  // SIGTERM ends the stream cleanly (the last chunk) before the hub exits.
  from = seen.size();
  EXPECT_EQ(hub_->terminate(SIGTERM), 0);
  seen = events.read_until("0\r\n\r\n", from);
  EXPECT_EQ(seen.substr(from), "0\r\n\r\n");  // the last chunk, and nothing after it
  EXPECT_TRUE(events.closed_by_peer());
}

TEST_F(HubServeTest, RefusesAnOpenApiOnANonLoopbackAddress) {
  HubProcess hub({"--api-listen", "0.0.0.0:0", "--agent-listen", "127.0.0.1:0", "--state-dir", state_, "--tart", FAKE_TART_BINARY},
                 {{"TART_HOME", tart_home_}}, dir_.path() + "/refused.log", 10s);
  EXPECT_FALSE(hub.ready());
  EXPECT_NE(hub.wait_exit(5s), 0);
  EXPECT_NE(hub.log().find("without tokens"), std::string::npos) << hub.log();
}

TEST_F(HubServeTest, RefusesAStateDirThatWasNeverInitialised) {
  const std::string empty = dir_.path() + "/empty-state";
  std::filesystem::create_directories(empty);
  HubProcess hub({"--api-listen", "127.0.0.1:0", "--agent-listen", "127.0.0.1:0", "--state-dir", empty, "--tart",
                  FAKE_TART_BINARY},
                 {{"TART_HOME", tart_home_}}, dir_.path() + "/uninit.log", 10s);
  EXPECT_FALSE(hub.ready());
  EXPECT_EQ(hub.wait_exit(5s), 2);
  EXPECT_NE(hub.log().find("run `phoenix-hub init --state-dir " + empty + "` first"), std::string::npos)
      << hub.log();
  EXPECT_FALSE(std::filesystem::exists(empty + "/hub.db")) << "serve must not create a store";
}

TEST_F(HubServeTest, ShutsDownCleanlyOnSigterm) {
  start_hub();
  ASSERT_EQ(call("GET", "/health").status, 200);
  EXPECT_EQ(hub_->terminate(SIGTERM), 0) << hub_->log();
  EXPECT_NE(hub_->log().find("shutting down"), std::string::npos);
}

}  // namespace
}  // namespace phoenix::test
