// Resource limits against the real hub (issue 12, "Resource limits a user can read"): a
// stranger's idle connections and half-finished TLS handshakes, and an enrolled agent that
// floods, must not starve the API or the other agents. Real phoenix-hub serve and real
// mTLS identities from `phoenix-agent enroll`; fake-tart as tart. Each test prints the figures
// it measured ("[limits] ...").
#include "tests/hub/agents/agents_test_support.hpp"
#include "tests/hub/api/support/hub_process.hpp"
#include "tests/hub/e2e/loopback_hub_config.hpp"
#include "tests/hub/http/support/http_test_client.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace phoenix::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// utime + stime of `pid` in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // state .. cmajflt (fields 3-13)
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  return utime + stime;
}

// Percent of one core `pid` used over `window`.
double cpu_percent(pid_t pid, std::chrono::milliseconds window) {
  const long before = cpu_ticks(pid);
  std::this_thread::sleep_for(window);
  const long after = cpu_ticks(pid);
  return 100.0 * static_cast<double>(after - before) / static_cast<double>(sysconf(_SC_CLK_TCK)) /
         (static_cast<double>(window.count()) / 1000.0);
}

// A TCP connection from `source` (any 127.x address) that sends `bytes` and then nothing.
int open_idle(const std::string& source, std::uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // not the hub's to inherit
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  if (!bytes.empty() && send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Closes the stranger's sockets also when an assertion ends the test early.
struct Sockets {
  std::vector<int> fds;
  ~Sockets() {
    for (const int fd : fds) close(fd);
  }
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

class LimitsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api_port_ = free_port();
    agent_port_ = free_port();
    ASSERT_NE(api_port_, 0);
    ASSERT_NE(agent_port_, 0);
    std::filesystem::create_directories(tart_home_);
    for (const auto& vm : {"vm1", "vm2"}) ASSERT_EQ(tart({"create", vm, "--linux"}), 0);
    write_text_file(config_, loopback_hub_config(api_port_, agent_port_).dump(2));
    ASSERT_EQ(init_hub_state(state_, config_), 0);
  }

  void TearDown() override {
    if (HasFailure() && hub_) std::cerr << "--- hub log (last 4 KiB) ---\n" << tail(hub_->log(), 4096);
    agents_.clear();
    hub_.reset();
    for (const auto& vm : {"vm1", "vm2"}) tart({"stop", vm, "--timeout", "1"});
  }

  static std::string tail(const std::string& text, std::size_t n) {
    return text.size() <= n ? text : text.substr(text.size() - n);
  }

  int tart(std::vector<std::string> args) {
    args.insert(args.begin(), FAKE_TART_BINARY);
    return run_program(args, {{"TART_HOME", tart_home_}});
  }

  // The hub starts with systemd's default soft NOFILE (1024) whatever this process has, as
  // it would under a unit without LimitNOFILE; the hard limit stays as it is.
  void start_hub() {
    rlimit mine{};
    getrlimit(RLIMIT_NOFILE, &mine);
    rlimit reduced = mine;
    reduced.rlim_cur = std::min<rlim_t>(1024, mine.rlim_max);
    setrlimit(RLIMIT_NOFILE, &reduced);
    hub_ = std::make_unique<HubProcess>(std::vector<std::string>{"--config", config_, "--state-dir", state_},
                                        Env{{"TART_HOME", tart_home_}}, dir_.path() + "/hub.log");
    setrlimit(RLIMIT_NOFILE, &mine);
    ASSERT_TRUE(hub_->ready()) << hub_->log();
  }

  HttpReply call(const std::string& method, const std::string& target, std::chrono::milliseconds timeout = 10s) {
    return http_call(api_port_, method, target, {}, {}, timeout);
  }

  std::string agent_dir(const std::string& vm) {
    const auto dir = dir_.path() + "/agent-" + vm;
    std::filesystem::create_directories(dir + "/root");
    if (!std::filesystem::exists(dir + "/agent.json")) write_text_file(dir + "/agent.json", "{}\n");
    return dir;
  }

  void enroll(const std::string& vm) {
    const auto reply = http_call(api_port_, "POST", "/enroll-tokens", {{"Content-Type", "application/json"}},
                                 json{{"vm", vm}, {"ttl_s", 600}}.dump());
    ASSERT_EQ(reply.status, 201) << reply.body;
    const auto dir = agent_dir(vm);
    ASSERT_EQ(run_program_output({PHOENIX_AGENT_BINARY, "enroll", "--token", reply.json().value("token", ""),
                                  "--state-dir", dir + "/state", "--config", dir + "/agent.json"},
                                 dir + "/enroll.out", dir + "/enroll.err"),
              0)
        << read_text_file(dir + "/enroll.err");
  }

  void run_agent(const std::string& vm) {
    const auto dir = agent_dir(vm);
    agents_[vm] = std::make_unique<ChildProcess>(
        std::vector<std::string>{PHOENIX_AGENT_BINARY, "run", "--state-dir", dir + "/state", "--config",
                                 dir + "/agent.json", "--root", dir + "/root", "--users", "root",
                                 "--docker-socket", dir + "/missing-docker.sock", "--backoff-start-ms", "20",
                                 "--backoff-cap-ms", "200", "--state-interval-ms", "300"},
        Env{}, dir + "/run.log");
  }

  bool connected(const std::string& vm) {
    const auto reply = call("GET", "/agents/" + vm, 2s);
    return reply.status == 200 && reply.json().value("connected", false);
  }

  // The enrolled identity of `vm`, for a hand-driven WebSocket client.
  hub::test::KeyAndCert identity(const std::string& vm) {
    const auto dir = agent_dir(vm) + "/state/identity/";
    auto key = pki::PrivateKey::from_pem(read_text_file(dir + "key.pem"));
    auto cert = pki::Certificate::from_pem(read_text_file(dir + "cert.pem"));
    if (!key || !cert) throw std::runtime_error("no enrolled identity in " + dir);
    return {std::move(*key), std::move(*cert)};
  }
  std::string identity_ca(const std::string& vm) { return read_text_file(agent_dir(vm) + "/state/identity/ca.pem"); }

  TempDir dir_;
  std::string tart_home_ = dir_.path() + "/tart";
  std::string state_ = dir_.path() + "/hub-state";
  std::string config_ = dir_.path() + "/hub.json";
  std::uint16_t api_port_ = 0;
  std::uint16_t agent_port_ = 0;
  std::unique_ptr<HubProcess> hub_;
  std::map<std::string, std::unique_ptr<ChildProcess>> agents_;
};

TEST_F(LimitsE2eTest, IdleConnectionsAndHalfHandshakesLeaveTheApiAndAgentsServed) {
  start_hub();
  enroll("vm1");

  // The stranger: 2,000 idle TCP connections from one address, and 200 handshakes from
  // another that sent a TLS record header and never the rest. This process needs the fds.
  rlimit mine{};
  getrlimit(RLIMIT_NOFILE, &mine);
  ASSERT_GE(mine.rlim_cur, 2400u) << "raise this shell's ulimit -n";
  Sockets sockets;
  auto& fds = sockets.fds;
  const std::string half_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  for (int i = 0; i < 2000; ++i) {
    if (const int fd = open_idle("127.0.0.2", agent_port_, ""); fd >= 0) fds.push_back(fd);
  }
  for (int i = 0; i < 200; ++i) {
    if (const int fd = open_idle("127.0.0.3", agent_port_, half_hello); fd >= 0) fds.push_back(fd);
  }
  std::cerr << "[limits] opened " << fds.size() << " idle connections / half handshakes\n";
  std::this_thread::sleep_for(1s);  // the hub has seen them all

  const double cpu = cpu_percent(hub_->pid(), 3000ms);
  std::vector<double> health_ms;
  for (int i = 0; i < 20; ++i) {
    const auto start = Clock::now();
    const auto reply = call("GET", "/health", 2s);
    health_ms.push_back(ms_since(start));
    ASSERT_EQ(reply.status, 200) << "GET /health under the flood: " << reply.body;
  }
  const auto start = Clock::now();
  run_agent("vm1");
  ASSERT_TRUE(eventually([&] { return connected("vm1"); }, 15s, 5ms)) << "an enrolled agent could not connect";
  const double connect_ms = ms_since(start);
  std::cerr << "[limits] idle flood: hub CPU " << cpu << " %, GET /health p50 " << percentile(health_ms, 0.5)
            << " ms max " << percentile(health_ms, 1.0) << " ms, agent connected after " << connect_ms
            << " ms (process start included)\n";
  EXPECT_LT(cpu, 20.0) << "the hub spins";
  EXPECT_LT(percentile(health_ms, 1.0), 500.0);

  const auto log = hub_->log();
  EXPECT_NE(log.find("raised the open-files limit"), std::string::npos);
  EXPECT_NE(log.find("refused a connection from 127.0.0.2"), std::string::npos) << "the log says what it refused";
  const auto metrics = call("GET", "/metrics").body;
  EXPECT_NE(metrics.find("phoenix_connections_refused_total{reason=\"max_handshakes_per_source\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find("phoenix_open_files_limit"), std::string::npos);
}

TEST_F(LimitsE2eTest, AFloodingAgentIsDisconnectedWhileOthersStayFast) {
  start_hub();
  enroll("vm1");
  enroll("vm2");
  const auto flooder_identity = identity("vm1");
  hub::test::WsClient flood(agent_port_, identity_ca("vm1"), &flooder_identity);
  const auto probe_identity = identity("vm2");
  hub::test::WsClient probe(agent_port_, identity_ca("vm2"), &probe_identity);
  ASSERT_TRUE(flood.connect());
  ASSERT_TRUE(probe.connect());
  ASSERT_TRUE(probe.send(hub::test::hello_message("vm2")));

  // state and sign_request as fast as one connection can write them, until the hub hangs up.
  std::atomic<std::uint64_t> sent{0};
  std::atomic<bool> flooding{true};
  std::thread flooder_thread([&] {
    const auto state = json{{"v", 1}, {"type", "state"}, {"id", "f"},
                            {"body", {{"vm", "vm1"}, {"agent_version", "flood"}, {"docker", {{"reachable", false}}}}}}
                           .dump();
    const auto sign = json{{"v", 1}, {"type", "sign_request"}, {"id", "s"},
                           {"body", {{"kind", "identity"}, {"csr", hub::test::make_csr("vm1")}}}}
                          .dump();
    while (flooding) {
      if (!flood.send(sent % 50 == 49 ? sign : state)) break;
      ++sent;
    }
    flooding = false;
  });

  // vm2's round trips (an unknown type earns an error reply) and GET /vms, at 10/s each.
  std::vector<double> probe_ms, vms_ms;
  const auto until = Clock::now() + 8s;
  for (int i = 0; Clock::now() < until; ++i) {
    const auto id = "p-" + std::to_string(i);
    auto start = Clock::now();
    ASSERT_TRUE(probe.send(json{{"v", 1}, {"type", "x_probe"}, {"id", id}, {"body", json::object()}}.dump()));
    for (;;) {
      auto answer = probe.read_type("error", 3s);
      ASSERT_TRUE(answer) << "vm2 got no answer: " << answer.error().to_string();
      if (answer->value("re", "") == id) break;
    }
    probe_ms.push_back(ms_since(start));
    start = Clock::now();
    ASSERT_EQ(call("GET", "/vms", 3s).status, 200);
    vms_ms.push_back(ms_since(start));
    std::this_thread::sleep_for(100ms);
  }
  const bool still_flooding = flooding.exchange(false);
  flooder_thread.join();
  std::cerr << "[limits] flood: " << sent << " messages sent; vm2 round trip p50 " << percentile(probe_ms, 0.5)
            << " ms p99 " << percentile(probe_ms, 0.99) << " ms; GET /vms p50 " << percentile(vms_ms, 0.5)
            << " ms p99 " << percentile(vms_ms, 0.99) << " ms\n";
  EXPECT_FALSE(still_flooding) << "the flooder was never disconnected";
  EXPECT_LT(percentile(probe_ms, 0.99), 100.0);
  EXPECT_LT(percentile(vms_ms, 0.99), 100.0);

  const auto agent = call("GET", "/agents/vm1").json();
  EXPECT_EQ(agent.value("connected", true), false) << agent.dump();
  EXPECT_NE(agent.value("last_disconnect", json()).dump().find("1008 rate limit"), std::string::npos) << agent.dump();
  EXPECT_NE(hub_->log().find("closed with 1008: rate limit"), std::string::npos) << "the hub says why";
  // A reconnect within the penalty is refused with 429.
  hub::test::WsClient again(agent_port_, identity_ca("vm1"), &flooder_identity);
  const auto reconnect = again.connect();
  ASSERT_FALSE(reconnect);
  EXPECT_NE(reconnect.error().message.find("429"), std::string::npos) << reconnect.error().to_string();
  EXPECT_NE(call("GET", "/metrics").body.find("phoenix_agents_rate_limited_total{limit=\"messages\"}"),
            std::string::npos);
}

}  // namespace
}  // namespace phoenix::test
