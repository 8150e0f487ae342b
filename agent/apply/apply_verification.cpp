#include "agent/apply/apply_executor.hpp"

// ApplyExecutor's verification steps, apart from the file and process steps in
// apply_executor.cpp: every check is a real mutual-TLS /_ping plus the served serial,
// retried until the verify timeout (dockerd takes a few seconds to come back).
#include "agent/docker/context_store.hpp"
#include "agent/docker/daemon_json.hpp"
#include "agent/docker/user_account.hpp"

namespace phoenix::agent::apply {

std::optional<ApplyReport> ApplyExecutor::already_live(const std::string& live_set, const ValidatedMaterial& material,
                                                      std::uint16_t port) {
  auto live = sets_.read(live_set);
  const auto& f = material.files;
  const std::string& wanted_client_ca = f.client_ca_pem.empty() ? f.ca_pem : f.client_ca_pem;
  if (!live || live->ca_pem != f.ca_pem || live->effective_client_ca() != wanted_client_ca ||
      live->server_cert_pem != f.server_cert_pem ||
      live->server_key_pem != f.server_key_pem || live->client_cert_pem != f.client_cert_pem ||
      live->client_key_pem != f.client_key_pem) {
    return std::nullopt;
  }
  auto served = env_.prober.tls_ping(TlsProbe{"127.0.0.1", port, live->ca_pem, live->client_cert_pem,
                                              live->client_key_pem});
  if (!served || *served != material.server_serial) return std::nullopt;  // not serving it: apply for real
  say("set " + live_set + " with these exact files is already live and verified (serial " + *served +
      "): no restart; refreshing the contexts");
  ApplyJournal journal;
  journal.new_set = live_set;
  journal.new_serial = material.server_serial;
  journal.users = settings_.users;
  journal.verify_port = port;
  ApplyReport report;
  report.new_set = live_set;
  report.old_set = live_set;
  report.new_serial = material.server_serial;
  report.old_serial = material.server_serial;
  report.users = settings_.users;
  // The contexts need no journal: rewriting them is idempotent and dockerd is not touched.
  auto written = do_write_contexts(journal);
  auto verified = written ? do_verify_contexts(journal) : Result<std::string>(written.error());
  report.succeeded = static_cast<bool>(verified);
  report.final_step = verified ? Step::committed : Step::discarded;
  if (verified) report.served_serial = *verified;
  if (!verified) report.failure = Failure{verified.error().code, verified.error().message};
  return report;
}

Result<std::string> ApplyExecutor::probe_until(const TlsProbe& probe, const std::string& expected_serial) {
  const auto deadline = env_.steady_now() + settings_.verify_timeout;
  std::string last = "no attempt";
  for (;;) {
    auto served = env_.prober.tls_ping(probe);
    if (served && *served == expected_serial) return *served;
    last = served ? "dockerd serves serial " + *served + ", expected " + expected_serial
                  : served.error().to_string();
    if (env_.steady_now() >= deadline) break;
    env_.sleep_for(settings_.verify_retry_interval);
  }
  return make_error("verify_failed", "no TLS /_ping with the expected cert on " + probe.host + ":" +
                                         std::to_string(probe.port) + " within " +
                                         std::to_string(settings_.verify_timeout.count() / 1000) + " s: " + last);
}

Result<std::string> ApplyExecutor::do_verify_set(const std::string& set_id, const std::string& serial,
                                                 std::uint16_t port) {
  auto material = sets_.read(set_id);
  if (!material) return material.error();
  TlsProbe probe{"127.0.0.1", port, material->ca_pem, material->client_cert_pem, material->client_key_pem};
  auto served = probe_until(probe, serial);
  if (served) say("verified: serving serial " + *served);
  return served;
}

Result<std::string> ApplyExecutor::do_verify_contexts(const ApplyJournal& journal) {
  auto users = docker::resolve_users(env_.fs, settings_.paths, journal.users);
  if (!users) return users.error();
  std::string served;
  for (const auto& user : *users) {
    const auto status = docker::inspect_phoenix_context(env_.fs, user);
    if (!status.present || !status.current || !status.has_tls_files) {
      return make_error("context_invalid", "the phoenix context of " + user.name + " is not usable" +
                                               (status.problems.empty() ? "" : ": " + status.problems.front()));
    }
    auto host = split_tcp_address(status.host);
    if (!host) return host.error();
    const auto cp = docker::context_paths(user);
    auto ca = env_.fs.read_file(cp.ca_pem);
    auto cert = env_.fs.read_file(cp.cert_pem);
    auto key = env_.fs.read_file(cp.key_pem);
    if (!ca || !cert || !key) return make_error("context_invalid", "cannot read the context files of " + user.name);
    auto result = probe_until(TlsProbe{host->first, host->second, *ca, *cert, *key}, journal.new_serial);
    if (!result) {
      return make_error("context_verify_failed", "through " + user.name + "'s phoenix context: " + result.error().message);
    }
    say("verified: " + user.name + "'s phoenix context reaches dockerd (" + status.host + ")");
    served = *result;
  }
  return served;
}

Result<std::string> ApplyExecutor::do_verify_old(const ApplyJournal& journal) {
  if (journal.old_set) {
    const std::string serial = journal.old_serial.value_or("");
    // The previous listener may have been on another port than this apply's --listen:
    // ask the restored daemon.json.
    std::uint16_t port = journal.verify_port;
    if (auto text = env_.fs.read_file(settings_.paths.daemon_json)) {
      if (auto report = docker::read_daemon_tls_settings(*text)) {
        for (const auto& host : report->hosts) {
          auto split = split_tcp_address(host);
          if (split) {
            port = split->second;
            break;
          }
        }
      }
    }
    say("verifying dockerd serves the previous set (serial " + serial + ") on 127.0.0.1:" + std::to_string(port) +
        "…");
    return do_verify_set(*journal.old_set, serial, port);
  }
  say("verifying dockerd answers on unix://" + settings_.docker_socket + " (there was no previous TLS set)…");
  const auto deadline = env_.steady_now() + settings_.verify_timeout;
  for (;;) {
    auto r = env_.prober.unix_ping(settings_.docker_socket);
    if (r) return std::string();
    if (env_.steady_now() >= deadline) {
      return make_error("verify_failed", "dockerd does not answer on " + settings_.docker_socket + ": " +
                                             r.error().to_string());
    }
    env_.sleep_for(settings_.verify_retry_interval);
  }
}

}  // namespace phoenix::agent::apply
