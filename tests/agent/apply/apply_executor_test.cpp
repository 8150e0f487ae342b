#include "agent/apply/apply_executor.hpp"

#include "agent/docker/context_store.hpp"
#include "shared/fs/fake_file_system.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/process/fake_process_runner.hpp"
#include "tests/agent/apply/test_material.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace phoenix::agent::apply {
namespace {

using namespace std::chrono_literals;

// A dockerd model over the fake file system: a restart makes it serve whatever server cert
// tls/current points at (if it loads), as the real one does.
class FakeDockerd final : public DockerProber {
 public:
  FakeDockerd(fs::FakeFileSystem& fs, std::string tls_dir) : fs_(fs), tls_dir_(std::move(tls_dir)) {}

  void restart() {
    auto pem = fs_.read_file(tls_dir_ + "/current/server-cert.pem");
    auto cert = pem ? pki::Certificate::from_pem(*pem) : Result<pki::Certificate>(make_error("x", "x"));
    serving = cert ? cert->facts().serial_hex : "";
    ++restarts;
  }
  Result<std::string> tls_ping(const TlsProbe& probe) override {
    ++pings;
    last_port = probe.port;
    if (serving.empty()) return make_error("connect_failed", "dockerd is down");
    return serving;
  }
  Result<void> unix_ping(const std::string&) override { return ok(); }

  std::string serving;
  int restarts = 0;
  int pings = 0;
  std::uint16_t last_port = 0;

 private:
  fs::FakeFileSystem& fs_;
  std::string tls_dir_;
};

struct Crash {
  Step step;
};

class ApplyExecutorTest : public ::testing::Test {
 protected:
  const std::vector<std::string> restart_argv{"/usr/local/bin/restart-dockerd"};
  fs::FakeFileSystem fs;
  process::FakeProcessRunner runner;
  docker::SystemPaths paths = docker::SystemPaths::under("/r");
  FakeDockerd dockerd{fs, paths.tls_dir};
  std::chrono::steady_clock::time_point clock{};
  std::vector<std::string> lines;
  int restart_failures = 0;  // the next N restarts fail
  std::optional<Step> crash_at;
  std::string listen = "tcp://0.0.0.0:2376";
  std::vector<std::string> users{"root"};
  pki::CertificateAuthority ca = test::make_ca();

  void SetUp() override {
    runner.set_fallback([this](const process::RunOptions&) -> Result<process::RunResult> {
      if (restart_failures > 0 && restart_failures--) return process::FakeProcessRunner::exited(1, "", "Job for docker.service failed");
      dockerd.restart();
      return process::FakeProcessRunner::exited(0);
    });
    fs.put("/r/etc/docker/daemon.json", "{\n  \"log-driver\": \"journald\"\n}\n");
  }

  ApplyExecutor executor() {
    ApplySettings s;
    s.paths = paths;
    s.state_dir = "/state";
    s.restart_commands = {restart_argv};
    s.verify_timeout = 2s;
    s.listen = listen;
    s.users = users;
    ApplyEnvironment env{fs,
                         runner,
                         dockerd,
                         [this] { return clock; },
                         [this](std::chrono::milliseconds d) { clock += d; },
                         [] { return std::chrono::system_clock::now(); },
                         [this](const std::string& line) { lines.push_back(line); },
                         [this](Step step) {
                           if (crash_at && *crash_at == step) throw Crash{step};
                         }};
    return ApplyExecutor(env, s);
  }

  std::string current_target() {
    auto target = fs.read_symlink(paths.tls_dir + "/current");
    return target ? *target : "(none)";
  }

  ApplyReport apply_ok(const CertFiles& files) {
    auto report = executor().apply(test::validated(files));
    EXPECT_TRUE(report && report->succeeded) << (report ? (report->failure ? report->failure->message : "") : report.error().message);
    return report ? *report : ApplyReport{};
  }
};

TEST_F(ApplyExecutorTest, FirstApplySwapsRestartsVerifiesWritesContextsAndCleansUp) {
  const auto files = test::good_files(ca);
  const auto report = apply_ok(files);
  const auto material = test::validated(files);
  EXPECT_EQ(report.served_serial, material.server_serial);
  EXPECT_EQ(dockerd.serving, material.server_serial);
  EXPECT_EQ(current_target(), "sets/" + report.new_set);
  EXPECT_EQ(fs.stat(paths.tls_dir + "/sets/" + report.new_set)->mode, 0700u);
  EXPECT_EQ(fs.stat(paths.tls_dir + "/sets/" + report.new_set + "/server-key.pem")->mode, 0600u);
  EXPECT_EQ(fs.stat(paths.tls_dir + "/sets/" + report.new_set + "/client-key.pem")->mode, 0600u);
  const auto daemon = fs.read_file(paths.daemon_json).value();
  EXPECT_NE(daemon.find("\"log-driver\": \"journald\""), std::string::npos);
  EXPECT_NE(daemon.find("/r/etc/docker/tls/current/server-cert.pem"), std::string::npos);
  EXPECT_NE(daemon.find("tcp://0.0.0.0:2376"), std::string::npos);
  const auto context = docker::inspect_phoenix_context(fs, docker::UserAccount{"root", "/r/root", 0, 0});
  EXPECT_TRUE(context.present && context.current && context.has_tls_files);
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_FALSE(fs.exists("/state/docker-apply-backup"));
  EXPECT_FALSE(report.old_set);
}

TEST_F(ApplyExecutorTest, DockerdTrustsTheSetsClientCaAndTheContextsTheServerCa) {
  // A hub rotation: the server cert from the docker CA, the client cert from the VM's own CA.
  const auto client_ca = test::make_ca("vm1 clients");
  auto files = test::good_files(ca);
  const auto client = test::client_leaf(client_ca);
  files.client_cert_pem = client.cert_pem;
  files.client_key_pem = client.key_pem;
  files.client_ca_pem = client_ca.certificate().to_pem();
  const auto report = apply_ok(files);
  const std::string set = paths.tls_dir + "/sets/" + report.new_set;
  EXPECT_EQ(fs.read_file(set + "/client-ca.pem").value(), files.client_ca_pem);
  EXPECT_EQ(fs.read_file(set + "/ca.pem").value(), files.ca_pem);
  const auto daemon = fs.read_file(paths.daemon_json).value();
  EXPECT_NE(daemon.find("\"tlscacert\": \"/r/etc/docker/tls/current/client-ca.pem\""), std::string::npos) << daemon;
  const auto context = docker::context_paths(docker::UserAccount{"root", "/r/root", 0, 0});
  EXPECT_EQ(fs.read_file(context.ca_pem).value(), files.ca_pem);
  EXPECT_EQ(fs.read_file(context.cert_pem).value(), files.client_cert_pem);

  // Applying the same files again is recognised as live: the client CA is part of the set.
  EXPECT_EQ(apply_ok(files).new_set, report.new_set);
  // A client cert of another CA than the set's client CA is refused before anything changes.
  auto stranger = files;
  stranger.client_ca_pem = test::make_ca("vm2 clients").certificate().to_pem();
  const auto refused = validate_material(stranger, std::chrono::system_clock::now());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "client_cert_unknown_ca");
}

TEST_F(ApplyExecutorTest, RotationKeepsThePreviousSetAndPrunesOlderOnes) {
  const auto first = apply_ok(test::good_files(ca));
  const auto second = apply_ok(test::good_files(ca));
  const auto third = apply_ok(test::good_files(ca));
  EXPECT_EQ(third.old_set, second.new_set);
  const auto sets = fs.list_directory(paths.tls_dir + "/sets").value();
  auto expected = std::vector<std::string>{second.new_set, third.new_set};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sets, expected);
  EXPECT_EQ(current_target(), "sets/" + third.new_set);
  EXPECT_NE(first.new_set, second.new_set);
}

TEST_F(ApplyExecutorTest, RestartFailureRestoresTheOldSetAndDaemonJson) {
  const auto first = apply_ok(test::good_files(ca));
  const auto daemon_before = fs.read_file(paths.daemon_json).value();
  const auto serving_before = dockerd.serving;
  const auto calls_before = runner.calls().size();
  restart_failures = 1;
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->succeeded);
  ASSERT_TRUE(report->failure);
  EXPECT_EQ(report->failure->code, "restart_failed");
  EXPECT_NE(report->failure->message.find("Job for docker.service failed"), std::string::npos);
  EXPECT_EQ(current_target(), "sets/" + first.new_set);
  EXPECT_EQ(fs.read_file(paths.daemon_json).value(), daemon_before);
  EXPECT_FALSE(fs.exists(paths.tls_dir + "/sets/" + report->new_set));
  EXPECT_EQ(report->final_step, Step::discarded);
  EXPECT_EQ(runner.calls().size(), calls_before + 2);
  EXPECT_EQ(dockerd.serving, serving_before);
}

TEST_F(ApplyExecutorTest, AFailedRollbackKeepsTheJournalAndTheNextRunFinishesIt) {
  const auto first = apply_ok(test::good_files(ca));
  const auto old_serial = dockerd.serving;
  restart_failures = 2;
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->final_step, Step::rollback_failed);
  EXPECT_NE(report->failure->message.find("then restart_failed"), std::string::npos);
  EXPECT_TRUE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_EQ(current_target(), "sets/" + first.new_set);  // files are back; dockerd is not
  // The kept journal records what a converge without this command line needs.
  auto kept = JournalStore(fs, "/state").load();
  ASSERT_TRUE(kept && kept->has_value() && (*kept)->settings);
  EXPECT_EQ((*kept)->settings->root, "/r");
  EXPECT_EQ((*kept)->settings->restart_commands, std::vector<std::vector<std::string>>{restart_argv});
  EXPECT_EQ((*kept)->settings->listen, listen);
  EXPECT_EQ((*kept)->settings->verify_timeout_ms, 2000);
  auto converged = executor().converge();
  ASSERT_TRUE(converged && converged->has_value());
  EXPECT_EQ((*converged)->final_step, Step::discarded);
  EXPECT_EQ(dockerd.serving, old_serial);
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_FALSE(fs.exists(paths.tls_dir + "/sets/" + report->new_set));
}

TEST_F(ApplyExecutorTest, VerifyFailureRollsBackAndDockerdServesTheOldSerial) {
  const auto first = apply_ok(test::good_files(ca));
  const auto old_serial = dockerd.serving;
  const auto daemon_before = fs.read_file(paths.daemon_json).value();
  // dockerd cannot load the new set: after the swap it comes back serving nothing.
  const auto validated_files = test::validated(test::good_files(ca));
  runner.set_fallback([&](const process::RunOptions&) -> Result<process::RunResult> {
    dockerd.restart();
    if (dockerd.serving == validated_files.server_serial) dockerd.serving = "";
    return process::FakeProcessRunner::exited(0);
  });
  auto exec = executor();
  auto report = exec.apply(validated_files);
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->succeeded);
  EXPECT_EQ(report->failure->code, "verify_failed");
  EXPECT_EQ(report->final_step, Step::discarded);
  EXPECT_EQ(dockerd.serving, old_serial);
  EXPECT_EQ(current_target(), "sets/" + first.new_set);
  EXPECT_EQ(fs.read_file(paths.daemon_json).value(), daemon_before);
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_LE(clock - std::chrono::steady_clock::time_point{}, 10s);  // bounded by the verify timeout
}

TEST_F(ApplyExecutorTest, RollbackVerifiesThePreviousSetOnThePreviousListener) {
  apply_ok(test::good_files(ca));
  const auto old_serial = dockerd.serving;
  listen = "tcp://0.0.0.0:2400";
  restart_failures = 1;
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_TRUE(report);
  EXPECT_EQ(report->final_step, Step::discarded);
  EXPECT_EQ(dockerd.last_port, 2376);
  EXPECT_EQ(report->served_serial, old_serial);
  EXPECT_NE(fs.read_file(paths.daemon_json).value().find("tcp://0.0.0.0:2376"), std::string::npos);
}

TEST_F(ApplyExecutorTest, AJournalThatCannotBeWrittenStopsBeforeTheSwap) {
  const auto daemon_before = fs.read_file(paths.daemon_json).value();
  int journal_writes = 0;
  fs.fail_writes_matching([&](const std::string& path) {
    return path == "/state/docker-apply.journal.json" && ++journal_writes > 2;  // begun, staged ok
  });
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->succeeded);
  EXPECT_EQ(report->failure->code, "journal_unwritable");
  EXPECT_EQ(dockerd.restarts, 0);
  EXPECT_EQ(fs.read_file(paths.daemon_json).value(), daemon_before);
  EXPECT_FALSE(fs.exists(paths.tls_dir + "/current"));
}

TEST_F(ApplyExecutorTest, EveryConfiguredUserGetsAContextTheyOwn) {
  fs.put("/r/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1001::/home/alice:/bin/bash\n");
  users = {"root", "alice"};
  apply_ok(test::good_files(ca));
  const docker::UserAccount alice{"alice", "/r/home/alice", 1000, 1001};
  const auto status = docker::inspect_phoenix_context(fs, alice);
  EXPECT_TRUE(status.present && status.current && status.has_tls_files);
  const auto key = fs.stat(docker::context_paths(alice).key_pem).value();
  EXPECT_EQ(key.uid, 1000u);
  EXPECT_EQ(key.mode, 0600u);
}

TEST_F(ApplyExecutorTest, AnUnknownUserIsRefusedBeforeAnything) {
  users = {"root", "mallory"};
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, "unknown_user");
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_FALSE(fs.exists(paths.tls_dir + "/sets"));
}

TEST_F(ApplyExecutorTest, ApplyingTheLiveSetAgainDoesNotRestartDockerd) {
  const auto files = test::good_files(ca);
  const auto first = apply_ok(files);
  const int restarts = dockerd.restarts;
  const auto again = apply_ok(files);
  EXPECT_EQ(dockerd.restarts, restarts);
  EXPECT_EQ(again.new_set, first.new_set);
  EXPECT_EQ(fs.list_directory(paths.tls_dir + "/sets").value().size(), 1u);
  // Not serving it (dockerd down): a real apply with a restart.
  dockerd.serving = "";
  apply_ok(files);
  EXPECT_EQ(dockerd.restarts, restarts + 1);
}

TEST_F(ApplyExecutorTest, UnitWithHostFlagGetsADropIn) {
  fs.put("/r/lib/systemd/system/docker.service",
         "[Service]\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n");
  apply_ok(test::good_files(ca));
  auto dropin = fs.read_file(paths.phoenix_dropin);
  ASSERT_TRUE(dropin);
  EXPECT_NE(dropin->find("ExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock"),
            std::string::npos)
      << *dropin;
}

TEST_F(ApplyExecutorTest, FailedFirstApplyRemovesTheDropInAndContextItCreated) {
  fs.put("/r/lib/systemd/system/docker.service", "[Service]\nExecStart=/usr/sbin/dockerd -H fd://\n");
  restart_failures = 1;
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->succeeded);
  EXPECT_FALSE(fs.exists(paths.phoenix_dropin));
  EXPECT_FALSE(fs.exists(paths.tls_dir + "/current"));
  EXPECT_EQ(fs.read_file(paths.daemon_json).value(), "{\n  \"log-driver\": \"journald\"\n}\n");
}

TEST_F(ApplyExecutorTest, AJournalLeftBehindIsRefusedUntilConverged) {
  fs.put("/state/docker-apply.journal.json", "{}");
  auto report = executor().apply(test::validated(test::good_files(ca)));
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, "apply_in_progress");
  auto converged = executor().converge();
  ASSERT_FALSE(converged);
  EXPECT_EQ(converged.error().code, "journal_invalid");
}

TEST_F(ApplyExecutorTest, NothingToConvergeWithoutAJournal) {
  auto converged = executor().converge();
  ASSERT_TRUE(converged);
  EXPECT_FALSE(converged->has_value());
}

class CrashAndConverge : public ApplyExecutorTest, public ::testing::WithParamInterface<Step> {};

TEST_P(CrashAndConverge, EndsOnOneConsistentSetWithNoJournal) {
  const auto first = apply_ok(test::good_files(ca));
  const auto old_serial = dockerd.serving;
  const auto daemon_before = fs.read_file(paths.daemon_json).value();
  const auto material = test::validated(test::good_files(ca));
  crash_at = GetParam();
  EXPECT_THROW((void)executor().apply(material), Crash);
  // The process died; dockerd may be down or serving anything the disk had.
  dockerd.restart();
  crash_at.reset();
  auto converged = executor().converge();
  ASSERT_TRUE(converged);
  ASSERT_TRUE(converged->has_value());
  const auto& r = **converged;
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
  EXPECT_FALSE(fs.exists("/state/docker-apply-backup"));
  if (r.succeeded) {
    EXPECT_EQ(dockerd.serving, material.server_serial);
    EXPECT_EQ(current_target(), "sets/" + r.new_set);
  } else {
    EXPECT_EQ(dockerd.serving, old_serial);
    EXPECT_EQ(current_target(), "sets/" + first.new_set);
    EXPECT_EQ(fs.read_file(paths.daemon_json).value(), daemon_before);
    EXPECT_FALSE(fs.exists(paths.tls_dir + "/sets/" + r.new_set));
  }
  const bool forward = GetParam() == Step::verified || GetParam() == Step::contexts_written ||
                       GetParam() == Step::contexts_verified;
  EXPECT_EQ(r.succeeded, forward) << to_string(GetParam());
  // And the next apply works.
  apply_ok(test::good_files(ca));
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashAndConverge,
                         ::testing::Values(Step::begun, Step::staged, Step::swapping, Step::swapped, Step::restarted,
                                           Step::verified, Step::contexts_written, Step::contexts_verified),
                         [](const auto& p) { return std::string(to_string(p.param)); });

class CrashWhileRollingBack : public ApplyExecutorTest, public ::testing::WithParamInterface<Step> {};

TEST_P(CrashWhileRollingBack, RollbackIsFinishedOnTheNextRun) {
  const auto first = apply_ok(test::good_files(ca));
  const auto old_serial = dockerd.serving;
  const auto material = test::validated(test::good_files(ca));
  runner.set_fallback([&](const process::RunOptions&) -> Result<process::RunResult> {
    dockerd.restart();
    if (dockerd.serving == material.server_serial) dockerd.serving = "";  // refuses the new set
    return process::FakeProcessRunner::exited(0);
  });
  crash_at = GetParam();
  EXPECT_THROW((void)executor().apply(material), Crash);
  crash_at.reset();
  auto converged = executor().converge();
  ASSERT_TRUE(converged && converged->has_value());
  EXPECT_FALSE((*converged)->succeeded);
  EXPECT_EQ((*converged)->failure->code, "verify_failed");  // the original reason survives
  EXPECT_EQ(dockerd.serving, old_serial);
  EXPECT_EQ(current_target(), "sets/" + first.new_set);
  EXPECT_FALSE(fs.exists("/state/docker-apply.journal.json"));
}

INSTANTIATE_TEST_SUITE_P(Steps, CrashWhileRollingBack,
                         ::testing::Values(Step::rolling_back, Step::restored, Step::old_restarted, Step::rolled_back),
                         [](const auto& p) { return std::string(to_string(p.param)); });

}  // namespace
}  // namespace phoenix::agent::apply
