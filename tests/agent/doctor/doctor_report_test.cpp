#include "agent/doctor/doctor_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace phoenix::agent::doctor {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kNow = Clock::from_time_t(1'800'000'000);

CertSummary cert(std::string serial, Clock::duration left) { return CertSummary{serial, "cn", "ab", kNow + left}; }

// A machine where everything is right.
DoctorInputs healthy() {
  DoctorInputs in;
  in.now = kNow;
  in.engine = EngineFacts{"/var/run/docker.sock", true, "", "1.41", "20.10.24"};
  in.daemon_json.path = "/etc/docker/daemon.json";
  in.daemon_json.present = true;
  auto& s = in.daemon_json.settings;
  s.tls = s.tlsverify = true;
  s.tlscacert = "/etc/docker/tls/ca.pem";
  s.tlscert = "/etc/docker/tls/server-cert.pem";
  s.tlskey = "/etc/docker/tls/server-key.pem";
  s.hosts = {"unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"};
  s.has_hosts_key = true;
  in.unit = UnitFacts{true, "/lib/systemd/system/docker.service", false};
  in.cert_files.push_back(CertFileFacts{"ca", *s.tlscacert, false, true, "", 0644, cert("01", 3650 * 24h)});
  in.cert_files.push_back(CertFileFacts{"server cert", *s.tlscert, false, true, "", 0644, cert("0A1B", 90 * 24h)});
  in.cert_files.push_back(CertFileFacts{"server key", *s.tlskey, true, true, "", 0600, std::nullopt});
  in.tls_endpoint.endpoint = "127.0.0.1:2376";
  in.tls_endpoint.attempted = true;
  in.tls_endpoint.client_material = "the phoenix context of root";
  in.tls_endpoint.served = cert("0A1B", 90 * 24h);
  in.tls_endpoint.on_disk = cert("0A1B", 90 * 24h);
  UserContextFacts root;
  root.user = "root";
  root.status.present = root.status.current = root.status.has_tls_files = true;
  root.status.host = "tcp://127.0.0.1:2376";
  root.ca_matches_daemon = true;
  in.users.push_back(root);
  return in;
}

const CheckResult* find(const DoctorReport& report, const std::string& id) {
  const auto it = std::find_if(report.checks.begin(), report.checks.end(), [&](const auto& c) { return c.id == id; });
  return it == report.checks.end() ? nullptr : &*it;
}

TEST(DoctorReport, HealthyMachineIsAllOk) {
  const auto report = build_report(healthy());
  for (const auto& c : report.checks) EXPECT_EQ(c.status, CheckStatus::ok) << c.id << ": " << c.summary;
  EXPECT_EQ(report.exit_code(), 0);
  for (const char* id : {"dockerd", "daemon_json", "docker_unit", "tls_file:ca", "cert_expiry:server cert",
                         "tls_endpoint", "context:root", "docker_host"}) {
    EXPECT_NE(find(report, id), nullptr) << id;
  }
  EXPECT_NE(find(report, "dockerd")->summary.find("20.10.24"), std::string::npos);
}

TEST(DoctorReport, CertExpiringSoonWarnsButExitsZero) {
  auto in = healthy();
  in.cert_files[1].cert = cert("0A1B", 5 * 24h);
  const auto report = build_report(in);
  ASSERT_NE(find(report, "cert_expiry:server cert"), nullptr);
  EXPECT_EQ(find(report, "cert_expiry:server cert")->status, CheckStatus::warn);
  EXPECT_EQ(report.exit_code(), 0);
}

TEST(DoctorReport, ExpiredCertFails) {
  auto in = healthy();
  in.cert_files[0].cert = cert("01", -1h);
  const auto report = build_report(in);
  EXPECT_EQ(find(report, "cert_expiry:ca")->status, CheckStatus::fail);
  EXPECT_NE(find(report, "cert_expiry:ca")->summary.find("expired"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
}

TEST(DoctorReport, OldCertStillServedSaysRestart) {
  auto in = healthy();
  in.tls_endpoint.served = cert("77", 10 * 24h);
  const auto report = build_report(in);
  const auto* c = find(report, "tls_endpoint");
  EXPECT_EQ(c->status, CheckStatus::fail);
  EXPECT_NE(c->summary.find("77"), std::string::npos);
  EXPECT_NE(c->action.find("systemctl restart docker"), std::string::npos);
  // Leading zeros and case do not make serials differ.
  in.tls_endpoint.served = cert("0a1b", 10 * 24h);
  EXPECT_EQ(find(build_report(in), "tls_endpoint")->status, CheckStatus::ok);
}

TEST(DoctorReport, EndpointUnreachableOrUnverifiedFails) {
  auto in = healthy();
  in.tls_endpoint.served.reset();
  in.tls_endpoint.error = "connection refused";
  EXPECT_EQ(find(build_report(in), "tls_endpoint")->status, CheckStatus::fail);
  in = healthy();
  in.tls_endpoint.verify_error = "unable to get local issuer certificate";
  EXPECT_EQ(find(build_report(in), "tls_endpoint")->status, CheckStatus::fail);
  in = healthy();
  in.tls_endpoint.attempted = false;
  in.tls_endpoint.skipped_reason = "no TLS configured";
  EXPECT_EQ(find(build_report(in), "tls_endpoint")->status, CheckStatus::skip);
}

TEST(DoctorReport, DockerHostFindingNamesFileLineAndReason) {
  auto in = healthy();
  docker::DriftFinding f;
  f.file = "/etc/environment";
  f.line_number = 2;
  f.line_text = "DOCKER_HOST=tcp://10.0.0.111:2376";
  f.value = "tcp://10.0.0.111:2376";
  f.source_kind = docker::DriftSource::etc_environment;
  f.reason = docker::explain_docker_host(f.value, f.source_kind);
  in.docker_host_findings.push_back(f);
  const auto report = build_report(in);
  const auto* c = find(report, "docker_host");
  EXPECT_EQ(c->status, CheckStatus::fail);
  EXPECT_EQ(c->summary, "/etc/environment:2: DOCKER_HOST=tcp://10.0.0.111:2376");
  EXPECT_NE(c->action.find("HTTPS server"), std::string::npos);
  EXPECT_EQ(report.exit_code(), 1);
  EXPECT_EQ(report.docker_host_findings.size(), 1u);
}

TEST(DoctorReport, DaemonJsonProblems) {
  auto in = healthy();
  in.daemon_json.present = false;
  EXPECT_EQ(find(build_report(in), "daemon_json")->status, CheckStatus::fail);
  in = healthy();
  in.daemon_json.error = "not valid JSON";
  EXPECT_EQ(find(build_report(in), "daemon_json")->status, CheckStatus::fail);
  in = healthy();
  in.daemon_json.settings.tlsverify = false;
  const auto report = build_report(in);  // named: `c` points into it
  const auto* c = find(report, "daemon_json");
  EXPECT_EQ(c->status, CheckStatus::fail);
  EXPECT_NE(c->summary.find("tlsverify"), std::string::npos);
  in = healthy();
  in.daemon_json.settings.hosts = {"unix:///var/run/docker.sock"};
  EXPECT_EQ(find(build_report(in), "daemon_json")->status, CheckStatus::warn);
}

TEST(DoctorReport, TheOldSharedClientCaLayoutWarnsAndSaysToRotate) {
  auto in = healthy();
  in.daemon_json.settings.tlscacert = "/etc/docker/tls/current/ca.pem";
  auto c = *find(build_report(in), "daemon_json");
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_NE(c.summary.find("any VM"), std::string::npos) << c.summary;
  EXPECT_NE(c.action.find("rotate --kind docker-tls"), std::string::npos) << c.action;
  in.daemon_json.settings.tlscacert = "/etc/docker/tls/current/client-ca.pem";
  EXPECT_EQ(find(build_report(in), "daemon_json")->status, CheckStatus::ok);
}

TEST(DoctorReport, AContextWhoseClientCertDockerdRefusesFails) {
  auto in = healthy();
  in.users[0].client_accepted = false;
  const auto c = *find(build_report(in), "context:root");
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.summary.find("does not accept its client cert"), std::string::npos) << c.summary;
}

TEST(DoctorReport, HostsBothInUnitAndDaemonJsonFails) {
  auto in = healthy();
  in.unit.passes_host_flag = true;
  const auto report = build_report(in);  // named: `c` points into it
  const auto* c = find(report, "docker_unit");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, CheckStatus::fail);
  EXPECT_NE(c->summary.find("specified both as a flag"), std::string::npos);
  in.daemon_json.settings.has_hosts_key = false;
  EXPECT_EQ(find(build_report(in), "docker_unit")->status, CheckStatus::ok);
}

TEST(DoctorReport, FilesAndContextsAndUsers) {
  auto in = healthy();
  in.cert_files[2].mode = 0644;
  EXPECT_EQ(find(build_report(in), "tls_file:server key")->status, CheckStatus::warn);
  in = healthy();
  in.cert_files[1].exists = false;
  EXPECT_EQ(find(build_report(in), "tls_file:server cert")->status, CheckStatus::fail);
  in = healthy();
  in.users[0].ca_matches_daemon = false;
  EXPECT_EQ(find(build_report(in), "context:root")->status, CheckStatus::fail);
  in = healthy();
  in.users[0].status.problems.push_back("phoenix is not the current context of root");
  EXPECT_EQ(find(build_report(in), "context:root")->status, CheckStatus::fail);
  in = healthy();
  in.users_error = "user 'bob' is not in /etc/passwd";
  EXPECT_EQ(find(build_report(in), "users")->status, CheckStatus::fail);
  in = healthy();
  in.engine.reachable = false;
  in.engine.error = "no such socket";
  EXPECT_EQ(find(build_report(in), "dockerd")->status, CheckStatus::fail);
  EXPECT_EQ(build_report(in).exit_code(), 1);
}

}  // namespace
}  // namespace phoenix::agent::doctor
