// `phoenix-agent docker apply` (the real binary) against a real dockerd 20.10 started by
// DockerdFixture with --config-file <root>/etc/docker/daemon.json, restarted through the
// fixture's restart command; the real docker CLI then talks TLS through the `phoenix`
// context. Root only (skipped otherwise). Everything lives under one temp --root, removed
// at the end, also on failure.
#include "agent/engine/server_certificate.hpp"
#include "shared/process/real_process_runner.hpp"
#include "tests/agent/apply/test_material.hpp"
#include "tests/support/dockerd_fixture.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef PHOENIX_AGENT_BINARY
#error "PHOENIX_AGENT_BINARY must name the phoenix-agent executable"
#endif

namespace phoenix::agent::apply {
namespace {

using namespace std::chrono_literals;
namespace stdfs = std::filesystem;

std::string slurp(const stdfs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void spit(const stdfs::path& path, const std::string& text) {
  stdfs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A free TCP port on 127.0.0.1 (bound to port 0, then released).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Holds a port so that dockerd cannot bind it.
class PortBlocker {
 public:
  PortBlocker() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~PortBlocker() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (stdfs::temp_directory_path() / "phx-apply-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ApplyIntegration : public ::testing::Test {
 protected:
  TempRoot root;  // declared first: removed after dockerd is stopped
  std::unique_ptr<phoenix::test::DockerdFixture> dockerd;
  std::uint16_t port = 0;
  pki::CertificateAuthority ca = test::make_ca();

  void SetUp() override {
    PHOENIX_SKIP_WITHOUT_DOCKERD();
    for (const char* name : {"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"}) {
      ::unsetenv(name);
    }
    port = free_port();
    spit(daemon_json(),
         "{\n  \"log-driver\": \"json-file\",\n  \"registry-mirrors\": [\"https://mirror.example\"]\n}\n");
  }

  void start_dockerd() {
    phoenix::test::DockerdOptions options;
    options.name = "apply";
    options.config_file = daemon_json();
    options.unit_root = root.path();  // dockerd gets the -H flags of the unit under --root
    dockerd = std::make_unique<phoenix::test::DockerdFixture>(options);
    auto started = dockerd->start();
    ASSERT_TRUE(started) << started.error().to_string();
  }

  std::string daemon_json() const { return root.path() + "/etc/docker/daemon.json"; }
  std::string home() const { return root.path() + "/root"; }

  // Writes the files under <root>/input/<name>/ and returns that dir.
  std::string put_files(const std::string& name, const CertFiles& f) {
    const auto dir = root.path() + "/input/" + name;
    spit(dir + "/ca.pem", f.ca_pem);
    spit(dir + "/server-cert.pem", f.server_cert_pem);
    spit(dir + "/server-key.pem", f.server_key_pem);
    spit(dir + "/client-cert.pem", f.client_cert_pem);
    spit(dir + "/client-key.pem", f.client_key_pem);
    return dir;
  }

  process::RunResult run(const std::vector<std::string>& argv,
                         std::vector<std::pair<std::string, std::string>> env = {}) {
    process::RealProcessRunner runner;
    process::RunOptions options;
    options.argv = argv;
    options.timeout = 180s;
    options.extra_env = std::move(env);
    auto result = runner.run(options);
    EXPECT_TRUE(result) << result.error().to_string();
    return result ? *result : process::RunResult{};
  }

  process::RunResult apply(const std::string& input_dir, std::vector<std::pair<std::string, std::string>> env = {},
                           std::optional<std::uint16_t> listen_port = {}, std::string restart = "") {
    const auto r = run({PHOENIX_AGENT_BINARY, "docker", "apply", "--ca", input_dir + "/ca.pem", "--server-cert",
                        input_dir + "/server-cert.pem", "--server-key", input_dir + "/server-key.pem",
                        "--client-cert", input_dir + "/client-cert.pem", "--client-key",
                        input_dir + "/client-key.pem", "--root", root.path(), "--state-dir",
                        root.path() + "/state", "--listen",
                        "tcp://127.0.0.1:" + std::to_string(listen_port.value_or(port)), "--docker-socket",
                        dockerd->socket_path(), "--restart-command",
                        restart.empty() ? dockerd->restart_command() : restart, "--verify-timeout", "40"},
                       std::move(env));
    std::cerr << "---- phoenix-agent docker apply (exit " << r.exit_code << ")\n" << r.err << r.out;
    return r;
  }

  // The serial dockerd serves on 127.0.0.1:<port> to a client of `files`, or the error.
  std::string served_serial(const CertFiles& f, std::optional<std::uint16_t> on_port = {}) {
    engine::TlsMaterial tls{f.ca_pem, f.client_cert_pem, f.client_key_pem};
    auto cert = engine::fetch_server_certificate("127.0.0.1", on_port.value_or(port), tls);
    return cert ? cert->serial_hex : "error: " + cert.error().to_string();
  }

  std::string docker_cli() const {
    for (const char* p : {"/usr/local/bin/docker", "/usr/bin/docker"}) {
      if (::access(p, X_OK) == 0) return p;
    }
    return "";
  }

  // `docker version` through the phoenix context, as a user with HOME=<root>/root would.
  void expect_docker_cli_works(const std::string& expected_serial_hint = "") {
    const auto cli = docker_cli();
    if (cli.empty()) {
      ADD_FAILURE() << "no docker CLI found";
      return;
    }
    const auto version = run({cli, "version", "--format", "{{.Server.Version}}"}, {{"HOME", home()}});
    EXPECT_EQ(version.exit_code, 0) << version.err << expected_serial_hint;
    EXPECT_FALSE(version.out.empty()) << version.err;
    const auto contexts = run({cli, "context", "ls"}, {{"HOME", home()}});
    EXPECT_EQ(contexts.exit_code, 0) << contexts.err;
    EXPECT_NE(contexts.out.find("phoenix *"), std::string::npos) << contexts.out;
    EXPECT_NE(contexts.out.find("tcp://127.0.0.1:" + std::to_string(port)), std::string::npos) << contexts.out;
  }
};

TEST_F(ApplyIntegration, FirstApplyServesTlsKeepsUnrelatedKeysAndTheCliUsesThePhoenixContext) {
  start_dockerd();
  const auto files = test::good_files(ca);
  const auto r = apply(put_files("a", files));
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("verified: serving serial " + test::validated(files).server_serial), std::string::npos);
  EXPECT_EQ(served_serial(files), test::validated(files).server_serial);
  const auto daemon = slurp(daemon_json());
  EXPECT_NE(daemon.find("\"log-driver\": \"json-file\""), std::string::npos) << daemon;
  EXPECT_NE(daemon.find("https://mirror.example"), std::string::npos) << daemon;
  EXPECT_NE(daemon.find(root.path() + "/etc/docker/tls/current/server-key.pem"), std::string::npos) << daemon;
  EXPECT_TRUE(stdfs::is_symlink(root.path() + "/etc/docker/tls/current"));
  EXPECT_EQ(stdfs::status(root.path() + "/etc/docker/tls/current/server-key.pem").permissions() &
                stdfs::perms::all,
            stdfs::perms::owner_read | stdfs::perms::owner_write);
  EXPECT_FALSE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  expect_docker_cli_works();
  // The same files again: nothing to swap, dockerd is not restarted.
  const int pid = dockerd->pid();
  const auto again = apply(root.path() + "/input/a");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("already live"), std::string::npos) << again.err;
  EXPECT_EQ(dockerd->pid(), pid);
}

TEST_F(ApplyIntegration, UnitPassingHostFlagGetsADropInAndDockerdStillStarts) {
  spit(root.path() + "/lib/systemd/system/docker.service",
       "[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/sbin/dockerd -H fd:// "
       "--containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n");
  start_dockerd();
  const auto files = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", files)).exit_code, 0);
  const auto dropin = slurp(root.path() + "/etc/systemd/system/docker.service.d/phoenix.conf");
  EXPECT_NE(dropin.find("ExecStart=\n"), std::string::npos) << dropin;
  EXPECT_NE(dropin.find("--containerd=/run/containerd/containerd.sock"), std::string::npos) << dropin;
  EXPECT_EQ(dropin.find("fd://"), std::string::npos) << dropin;
  EXPECT_NE(slurp(daemon_json()).find("\"hosts\""), std::string::npos);
  EXPECT_EQ(served_serial(files), test::validated(files).server_serial);

  // The control: without the drop-in the unit's -H meets daemon.json's hosts and dockerd
  // refuses to start, so the start above really depended on the drop-in.
  stdfs::remove(root.path() + "/etc/systemd/system/docker.service.d/phoenix.conf");
  const auto refused = dockerd->restart();
  ASSERT_FALSE(refused) << "dockerd started with -H in the unit and hosts in daemon.json";
  EXPECT_NE(refused.error().message.find("specified both as a flag and in the configuration file"),
            std::string::npos)
      << refused.error().message;
}

TEST_F(ApplyIntegration, AMismatchedKeyIsRefusedBeforeAnyChange) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  const auto daemon_before = slurp(daemon_json());
  const auto current_before = stdfs::read_symlink(root.path() + "/etc/docker/tls/current");
  auto bad = test::good_files(ca);
  bad.server_key_pem = test::server_leaf(ca).key_pem;
  const auto r = apply(put_files("bad", bad));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("server_key_mismatch"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(daemon_json()), daemon_before);
  EXPECT_EQ(stdfs::read_symlink(root.path() + "/etc/docker/tls/current"), current_before);
  EXPECT_EQ(std::distance(stdfs::directory_iterator(root.path() + "/etc/docker/tls/sets"), {}), 1);
  EXPECT_EQ(served_serial(first), test::validated(first).server_serial);
}

TEST_F(ApplyIntegration, ASetDockerdCannotServeIsRolledBackToThePreviousSerial) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  const auto daemon_before = slurp(daemon_json());
  // The new listener's port is taken: dockerd refuses to start with the new daemon.json.
  PortBlocker blocker;
  const auto second = test::good_files(ca);
  const auto r = apply(put_files("b", second), {}, blocker.port());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("rolling back"), std::string::npos);
  EXPECT_EQ(served_serial(first), test::validated(first).server_serial);
  EXPECT_EQ(slurp(daemon_json()), daemon_before);
  EXPECT_FALSE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  expect_docker_cli_works();
}

TEST_F(ApplyIntegration, AFailingRestartCommandIsRolledBackAndTheNextRunConverges) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  const auto second = test::good_files(ca);
  const auto failed = apply(put_files("b", second), {}, {}, "/bin/false");
  EXPECT_EQ(failed.exit_code, 4) << failed.err;  // the restart on the old set failed too
  EXPECT_EQ(served_serial(first), test::validated(first).server_serial);  // never restarted
  EXPECT_TRUE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  const auto again = apply(root.path() + "/input/b");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("previous apply: not applied"), std::string::npos) << again.out;
  EXPECT_EQ(served_serial(second), test::validated(second).server_serial);
  expect_docker_cli_works();
}

TEST_F(ApplyIntegration, ARefusedRunStillConvergesWhatACrashedRunLeft) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  ASSERT_EQ(apply(put_files("b", test::good_files(ca)), {{"PHOENIX_FAILPOINT", "swapped"}}).exit_code, 137);
  auto bad = test::good_files(ca);
  bad.client_key_pem = bad.server_key_pem;
  const auto refused = apply(put_files("bad", bad));
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("client_key_mismatch"), std::string::npos) << refused.err;
  EXPECT_FALSE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  EXPECT_EQ(served_serial(first), test::validated(first).server_serial);
  expect_docker_cli_works();
}

class ApplyCrash : public ApplyIntegration, public ::testing::WithParamInterface<const char*> {};

TEST_P(ApplyCrash, AKillAtThisStepThenARerunServesTlsAndTheContextWorks) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  const auto second = test::good_files(ca);
  const auto input = put_files("b", second);
  const auto killed = apply(input, {{"PHOENIX_FAILPOINT", GetParam()}});
  ASSERT_EQ(killed.exit_code, 137) << killed.err;
  EXPECT_TRUE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  const auto rerun = apply(input);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_EQ(served_serial(second), test::validated(second).server_serial);
  EXPECT_FALSE(stdfs::exists(root.path() + "/state/docker-apply.journal.json"));
  EXPECT_FALSE(stdfs::exists(root.path() + "/state/docker-apply-backup"));
  expect_docker_cli_works();
}

// `phoenix-agent run` in the background, output to a file; killed (and reaped) on scope exit.
class BackgroundAgent {
 public:
  BackgroundAgent(const std::vector<std::string>& argv, const std::string& log_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~BackgroundAgent() { stop(); }
  // Exit status once it has exited by itself, nullopt while it runs.
  std::optional<int> exited() {
    if (pid_ <= 0) return status_;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return status_;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

class AgentStartConverges : public ApplyIntegration, public ::testing::WithParamInterface<const char*> {};

// The requirement: a kill at any step, then the agent starting (not enrolled: nobody reran
// the command) converges to one consistent set, old or new, served over TLS.
TEST_P(AgentStartConverges, AKilledApplyIsConvergedByTheAgentStartingUnenrolled) {
  start_dockerd();
  const auto first = test::good_files(ca);
  ASSERT_EQ(apply(put_files("a", first)).exit_code, 0);
  const auto second = test::good_files(ca);
  ASSERT_EQ(apply(put_files("b", second), {{"PHOENIX_FAILPOINT", GetParam()}}).exit_code, 137);
  const auto journal = root.path() + "/state/docker-apply.journal.json";
  ASSERT_TRUE(stdfs::exists(journal));

  const auto log = root.path() + "/agent.log";
  {
    BackgroundAgent agent({PHOENIX_AGENT_BINARY, "run", "--state-dir", root.path() + "/state", "--root",
                           root.path(), "--docker-socket", dockerd->socket_path()},
                          log);
    // Converged once the journal is gone; the un-enrolled agent then exits (or, were it
    // to keep running, is stopped here).
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (stdfs::exists(journal) && !agent.exited() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);
    }
    while (!agent.exited() && std::chrono::steady_clock::now() < deadline &&
           slurp(log).find("converged the unfinished docker apply") == std::string::npos) {
      std::this_thread::sleep_for(100ms);
    }
  }
  const auto output = slurp(log);
  std::cerr << "---- phoenix-agent run\n" << output;
  EXPECT_FALSE(stdfs::exists(journal)) << output;
  EXPECT_NE(output.find("converged the unfinished docker apply"), std::string::npos) << output;

  // One consistent set: the one `current` points to is the one dockerd serves.
  const auto current_cert = slurp(root.path() + "/etc/docker/tls/current/server-cert.pem");
  const bool on_second = current_cert == second.server_cert_pem;
  ASSERT_TRUE(on_second || current_cert == first.server_cert_pem) << "current points to neither set";
  const auto& live = on_second ? second : first;
  EXPECT_EQ(served_serial(live), test::validated(live).server_serial);
  EXPECT_EQ(on_second, std::string(GetParam()) == "verified");  // before verification: rolled back
  expect_docker_cli_works();
}

INSTANTIATE_TEST_SUITE_P(Steps, AgentStartConverges, ::testing::Values("swapped", "verified"),
                         [](const auto& p) { return std::string(p.param); });

INSTANTIATE_TEST_SUITE_P(Steps, ApplyCrash,
                         ::testing::Values("begun", "staged", "swapping", "swapped", "restarted", "verified",
                                           "contexts_written", "contexts_verified"),
                         [](const auto& p) { return std::string(p.param); });

}  // namespace
}  // namespace phoenix::agent::apply
