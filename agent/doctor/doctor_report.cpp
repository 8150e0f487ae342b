#include "agent/doctor/doctor_report.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <optional>

namespace phoenix::agent::doctor {
namespace {

using docker::DriftFinding;

const std::string kApply = "run `phoenix-agent docker apply` (or let the agent's next rotation fix it)";

std::string utc_date(Clock::time_point t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

bool same_serial(std::string a, std::string b) {
  const auto upper = [](std::string& s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    s.erase(0, std::min(s.find_first_not_of('0'), s.size() - 1));  // "0A" == "A"
  };
  upper(a);
  upper(b);
  return a == b;
}

CheckResult check(std::string id, CheckStatus status, std::string summary, std::string action = "") {
  return CheckResult{std::move(id), status, std::move(summary), std::move(action)};
}

CheckResult dockerd_check(const EngineFacts& engine) {
  const std::string where = "unix://" + engine.socket_path;
  if (!engine.reachable) {
    return check("dockerd", CheckStatus::fail, "dockerd does not answer on " + where + ": " + engine.error,
                 "start it (`systemctl start docker`, `journalctl -u docker` says why it stopped) "
                 "or pass --docker-socket PATH");
  }
  return check("dockerd", CheckStatus::ok,
               "dockerd answers on " + where + " (Docker " +
                   (engine.docker_version.empty() ? "?" : engine.docker_version) + ", API " + engine.api_version +
                   ")");
}

CheckResult daemon_json_check(const DaemonJsonFacts& d) {
  if (!d.present) {
    return check("daemon_json", CheckStatus::fail, d.path + " does not exist: dockerd has no TLS listener",
                 kApply);
  }
  if (!d.error.empty()) {
    return check("daemon_json", CheckStatus::fail, d.path + ": " + d.error,
                 "fix the file by hand (Phoenix never overwrites a daemon.json it cannot read), then " + kApply);
  }
  const auto& s = d.settings;
  std::vector<std::string> missing;
  if (!s.tls) missing.emplace_back("tls");
  if (!s.tlsverify) missing.emplace_back("tlsverify");
  if (!s.tlscacert) missing.emplace_back("tlscacert");
  if (!s.tlscert) missing.emplace_back("tlscert");
  if (!s.tlskey) missing.emplace_back("tlskey");
  if (!missing.empty()) {
    std::string list;
    for (const auto& key : missing) list += (list.empty() ? "" : ", ") + key;
    return check("daemon_json", CheckStatus::fail, d.path + " lacks TLS settings: " + list, kApply);
  }
  std::string hosts;
  for (const auto& h : s.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
  const bool has_tcp = std::any_of(s.hosts.begin(), s.hosts.end(), [](const auto& h) { return h.starts_with("tcp://"); });
  if (s.has_hosts_key && !has_tcp) {
    return check("daemon_json", CheckStatus::warn, d.path + " sets TLS but no tcp:// listener in hosts (" + hosts + ")",
                 kApply);
  }
  // Before per-VM docker trust, dockerd's tlscacert was the set's ca.pem: the docker CA itself,
  // which every VM's context cert chained to. One rotation moves the VM to its own client CA.
  if (s.tlscacert->ends_with("/tls/current/ca.pem")) {
    return check("daemon_json", CheckStatus::warn,
                 d.path + " makes dockerd trust the docker CA for clients (tlscacert " + *s.tlscacert +
                     "): a client cert taken from any VM of the fleet opens this dockerd",
                 "run a docker-tls rotation from the hub (phoenix-hub rotate --kind docker-tls): it gives this "
                 "dockerd its own client CA");
  }
  return check("daemon_json", CheckStatus::ok,
               d.path + " sets tls, tlsverify and the cert files" + (hosts.empty() ? "" : "; hosts: " + hosts));
}

// `hosts` in daemon.json together with -H in the unit: dockerd refuses to start.
std::optional<CheckResult> unit_check(const UnitFacts& unit, const DaemonJsonFacts& d) {
  if (!unit.found) return std::nullopt;  // not a systemd-managed dockerd: nothing to judge
  if (d.present && d.error.empty() && d.settings.has_hosts_key && unit.passes_host_flag) {
    return check("docker_unit", CheckStatus::fail,
                 unit.path + " passes -H and daemon.json sets hosts: dockerd refuses to start (\"the following "
                             "directives are specified both as a flag and in the configuration file: hosts\")",
                 "run `phoenix-agent docker apply` (it writes a drop-in without -H), then `systemctl daemon-reload`");
  }
  return check("docker_unit", CheckStatus::ok,
               unit.path + (unit.passes_host_flag ? " passes -H (daemon.json has no hosts)"
                                                  : " passes no -H (listeners come from daemon.json)"));
}

void cert_file_checks(const std::vector<CertFileFacts>& files, Clock::time_point now, std::vector<CheckResult>& out) {
  for (const auto& f : files) {
    const std::string id = "tls_file:" + f.role;
    if (!f.exists) {
      out.push_back(check(id, CheckStatus::fail, f.role + " " + f.path + " is missing", kApply));
      continue;
    }
    if (!f.error.empty()) {
      out.push_back(check(id, CheckStatus::fail, f.role + " " + f.path + ": " + f.error, kApply));
      continue;
    }
    if (f.is_key) {
      if ((f.mode & 077) != 0) {
        out.push_back(check(id, CheckStatus::warn, f.role + " " + f.path + " is readable by group or others",
                            "chmod 600 " + f.path));
      } else {
        out.push_back(check(id, CheckStatus::ok, f.role + " " + f.path + " present, mode 0600"));
      }
      continue;
    }
    if (!f.cert) continue;
    out.push_back(check(id, CheckStatus::ok,
                        f.role + " " + f.path + " present (serial " + f.cert->serial_hex + ")"));
    const auto left = f.cert->not_after - now;
    const auto days = std::chrono::duration_cast<std::chrono::hours>(left).count() / 24;
    const std::string expiry_id = "cert_expiry:" + f.role;
    if (left <= Clock::duration::zero()) {
      out.push_back(check(expiry_id, CheckStatus::fail,
                          f.role + " expired on " + utc_date(f.cert->not_after) + ": TLS clients refuse it",
                          "rotate now: `phoenix-hub rotate --kind docker-tls` or " + kApply + " with new certs"));
    } else if (left < kExpiryWarning) {
      out.push_back(check(expiry_id, CheckStatus::warn,
                          f.role + " expires on " + utc_date(f.cert->not_after) + " (in " + std::to_string(days) +
                              " days)",
                          "rotate soon: `phoenix-hub rotate --kind docker-tls`"));
    } else {
      out.push_back(check(expiry_id, CheckStatus::ok,
                          f.role + " valid until " + utc_date(f.cert->not_after) + " (" + std::to_string(days) +
                              " days)"));
    }
  }
}

CheckResult tls_endpoint_check(const TlsEndpointFacts& t) {
  const std::string id = "tls_endpoint";
  if (!t.attempted) return check(id, CheckStatus::skip, "not checked: " + t.skipped_reason);
  if (!t.served) {
    return check(id, CheckStatus::fail, "no TLS answer on " + t.endpoint + ": " + t.error,
                 "check that dockerd is running with daemon.json's TLS settings (`systemctl restart docker`, "
                 "`journalctl -u docker`)");
  }
  const std::string served = "serves serial " + t.served->serial_hex;
  if (t.on_disk && !same_serial(t.served->serial_hex, t.on_disk->serial_hex)) {
    return check(id, CheckStatus::fail,
                 t.endpoint + " " + served + " but the configured server cert has serial " + t.on_disk->serial_hex +
                     ": dockerd still serves an old certificate",
                 "restart dockerd (`systemctl restart docker`): it does not reload TLS certificates on SIGHUP");
  }
  if (!t.verify_error.empty()) {
    return check(id, CheckStatus::fail,
                 t.endpoint + " " + served + " but it does not verify with " + t.client_material + ": " +
                     t.verify_error,
                 kApply);
  }
  return check(id, CheckStatus::ok,
               t.endpoint + " " + served + ", the configured server cert, verified with " + t.client_material);
}

CheckResult context_check(const UserContextFacts& u) {
  const std::string id = "context:" + u.user;
  std::vector<std::string> problems = u.status.problems;
  if (u.ca_matches_daemon == false) {
    problems.push_back("its ca.pem is not the CA of dockerd's server cert; " + kApply);
  }
  if (u.client_accepted == false) {
    problems.push_back("dockerd's tlscacert does not accept its client cert; " + kApply);
  }
  if (problems.empty()) {
    return check(id, CheckStatus::ok,
                 "phoenix context of " + u.user + " is present and current, host " + u.status.host +
                     (u.ca_matches_daemon ? ", CA matches dockerd's" : ""));
  }
  std::string summary = "phoenix context of " + u.user + ": " + problems.front();
  for (std::size_t i = 1; i < problems.size(); ++i) summary += "; " + problems[i];
  if (u.status.refused_paths) {
    // apply would stop at the same path; the user's own hands must fix it first.
    return check(id, CheckStatus::fail, summary,
                 "fix the paths named above as " + u.user + " (Phoenix will not use them), then " + kApply);
  }
  return check(id, CheckStatus::fail, summary, kApply);
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok: return "OK";
    case CheckStatus::skip: return "SKIP";
    case CheckStatus::warn: return "WARN";
    case CheckStatus::fail: return "FAIL";
  }
  return "FAIL";
}

bool DoctorReport::all_ok() const {
  return std::none_of(checks.begin(), checks.end(), [](const auto& c) { return c.status == CheckStatus::fail; });
}

int DoctorReport::exit_code() const { return all_ok() ? 0 : 1; }

DoctorReport build_report(const DoctorInputs& in) {
  DoctorReport report;
  auto& out = report.checks;
  out.push_back(dockerd_check(in.engine));
  out.push_back(daemon_json_check(in.daemon_json));
  if (auto unit = unit_check(in.unit, in.daemon_json)) out.push_back(std::move(*unit));
  cert_file_checks(in.cert_files, in.now, out);
  out.push_back(tls_endpoint_check(in.tls_endpoint));
  if (!in.users_error.empty()) {
    out.push_back(check("users", CheckStatus::fail, in.users_error, "fix --users"));
  }
  for (const auto& user : in.users) out.push_back(context_check(user));

  if (in.docker_host_findings.empty() && in.docker_host_skipped.empty()) {
    out.push_back(check("docker_host", CheckStatus::ok, "DOCKER_HOST is not set in any file Phoenix checks"));
  }
  for (const DriftFinding& f : in.docker_host_findings) {
    out.push_back(check("docker_host", CheckStatus::fail,
                        f.file + ":" + std::to_string(f.line_number) + ": " + docker::shown_text(f.line_text),
                        f.reason));
  }
  if (in.docker_host_left_out > 0) {
    out.push_back(check("docker_host", CheckStatus::fail,
                        std::to_string(in.docker_host_left_out) + " more DOCKER_HOST lines not listed (the doctor lists " +
                            std::to_string(docker::kMaxDriftFindings) + ")",
                        "fix the ones listed, then run the doctor again"));
  }
  // A file the scan would not read could hide a DOCKER_HOST line, and is a trap laid for root.
  for (const auto& skipped : in.docker_host_skipped) {
    out.push_back(check("user_file", CheckStatus::fail, "not scanned for DOCKER_HOST: " + skipped.reason,
                        "fix it as said; until then Phoenix skips this file and keeps running"));
  }
  for (const auto& error : in.action_errors) out.push_back(check("action", CheckStatus::fail, error));
  report.docker_host_findings = in.docker_host_findings;
  report.actions_done = in.actions_done;
  return report;
}

}  // namespace phoenix::agent::doctor
