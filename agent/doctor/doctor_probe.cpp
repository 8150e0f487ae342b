#include "agent/doctor/doctor_probe.hpp"

#include "agent/docker/systemd_dropin.hpp"
#include "agent/docker/system_paths.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/pki/chain_verifier.hpp"

#include <charconv>

namespace phoenix::agent::doctor {
namespace {

using docker::SystemPaths;

DaemonJsonFacts read_daemon_json(const fs::FileSystem& fs, const SystemPaths& paths) {
  DaemonJsonFacts facts;
  facts.path = paths.daemon_json;
  auto text = fs.read_file(paths.daemon_json);
  if (!text) {
    if (text.error().code != "not_found") {
      facts.present = true;
      facts.error = text.error().message;
    }
    return facts;
  }
  facts.present = true;
  auto settings = docker::read_daemon_tls_settings(*text);
  if (!settings) {
    facts.error = settings.error().message;
  } else {
    facts.settings = std::move(*settings);
  }
  return facts;
}

UnitFacts read_unit(const fs::FileSystem& fs, const SystemPaths& paths) {
  UnitFacts facts;
  auto unit = docker::find_docker_unit(fs, paths);
  if (!unit) return facts;
  facts.found = true;
  facts.path = unit->path;
  std::vector<std::string> dropins;
  for (auto& dropin : docker::find_docker_dropins(fs, paths)) dropins.push_back(std::move(dropin.text));
  facts.passes_host_flag = docker::unit_passes_host_flag(unit->text, dropins);
  return facts;
}

CertFileFacts read_cert_file(const fs::FileSystem& fs, std::string role, const std::string& shown_path,
                             const std::string& host_path, bool is_key) {
  CertFileFacts facts;
  facts.role = std::move(role);
  facts.path = shown_path;
  facts.is_key = is_key;
  auto info = fs.stat(host_path);
  if (!info) {
    facts.exists = info.error().code != "not_found";
    if (facts.exists) facts.error = info.error().message;
    return facts;
  }
  facts.exists = true;
  facts.mode = info->mode;
  if (is_key) return facts;
  auto pem = fs.read_file(host_path);
  if (!pem) {
    facts.error = pem.error().message;
    return facts;
  }
  auto summary = summarize_certificate_pem(*pem);
  if (!summary) {
    facts.error = "not a PEM certificate (" + summary.error().message + ")";
  } else {
    facts.cert = std::move(*summary);
  }
  return facts;
}

std::optional<std::string> read_optional(const fs::FileSystem& fs, const std::string& path) {
  auto text = fs.read_file(path);
  if (!text) return std::nullopt;
  return std::move(*text);
}

std::string default_endpoint(const DaemonJsonFacts& daemon) {
  for (const auto& host : daemon.settings.hosts) {
    if (auto port = docker::tcp_port_of(host)) return "127.0.0.1:" + *port;
  }
  return "127.0.0.1:2376";
}

// The CA that verifies dockerd's server cert. Phoenix's sets keep it beside dockerd's client CA
// (tls/current/ca.pem next to tls/current/client-ca.pem); a single-CA setup uses one file.
std::string server_ca_path(const std::string& tlscacert) {
  const std::string suffix = "/client-ca.pem";
  if (tlscacert.size() > suffix.size() && tlscacert.compare(tlscacert.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return tlscacert.substr(0, tlscacert.size() - suffix.size()) + "/ca.pem";
  }
  return tlscacert;
}

// Whether dockerd's client CA bundle accepts a context's client cert, as dockerd would check it;
// nullopt when either does not parse (other checks report that).
std::optional<bool> client_accepted(const std::string& client_ca_pem, const std::string& cert_pem,
                                    Clock::time_point now) {
  auto roots = pki::certificates_from_pem(client_ca_pem);
  auto cert = pki::Certificate::from_pem(cert_pem);
  if (!roots || !cert) return std::nullopt;
  return static_cast<bool>(pki::verify_chain(*cert, *roots, pki::Usage::client_auth, now, pki::ChainRules::as_dockerd));
}

TlsEndpointFacts probe_tls_endpoint(const fs::FileSystem& fs, NetworkProbe& network, const SystemPaths& paths,
                                    const DoctorOptions& options, const DaemonJsonFacts& daemon,
                                    const std::vector<docker::UserAccount>& users) {
  TlsEndpointFacts facts;
  facts.endpoint = options.tls_endpoint.empty() ? default_endpoint(daemon) : options.tls_endpoint;
  const auto& s = daemon.settings;
  if (!s.tlscert || !s.tlscacert) {
    facts.skipped_reason = "daemon.json configures no TLS certificate";
    return facts;
  }
  const auto on_disk_pem = read_optional(fs, paths.host_path(*s.tlscert));
  const auto daemon_ca = read_optional(fs, paths.host_path(server_ca_path(*s.tlscacert)));
  if (!on_disk_pem || !daemon_ca) {
    facts.skipped_reason = "the configured CA or server certificate cannot be read";
    return facts;
  }
  if (auto summary = summarize_certificate_pem(*on_disk_pem)) facts.on_disk = std::move(*summary);
  auto endpoint = parse_endpoint(facts.endpoint);
  if (!endpoint) {
    facts.skipped_reason = endpoint.error().message;
    return facts;
  }

  // Present what the docker CLI would: the first user's phoenix context; else only the CA.
  ProbeTls tls{*daemon_ca, "", ""};
  facts.client_material = "dockerd's CA and no client certificate";
  for (const auto& user : users) {
    const auto p = docker::context_paths(user);
    auto ca = read_optional(fs, p.ca_pem);
    auto cert = read_optional(fs, p.cert_pem);
    auto key = read_optional(fs, p.key_pem);
    if (ca && cert && key) {
      tls = ProbeTls{std::move(*ca), std::move(*cert), std::move(*key)};
      facts.client_material = "the phoenix context of " + user.name;
      break;
    }
  }
  facts.attempted = true;
  const auto& [host, port] = *endpoint;
  auto served = network.served_certificate(host, port, tls, true, options.timeout);
  if (!served && served.error().code == "tls_handshake_failed") {
    facts.verify_error = served.error().message;
    served = network.served_certificate(host, port, tls, false, options.timeout);
  }
  if (!served) {
    facts.error = served.error().message;
    facts.verify_error.clear();
    return facts;
  }
  facts.served = std::move(*served);
  return facts;
}

void run_docker_host_actions(fs::FileSystem& fs, const SystemPaths& paths, const DoctorOptions& options,
                             const std::vector<docker::UserAccount>& users, DoctorInputs& in) {
  if (options.restore_docker_host) {
    std::vector<std::string> files;
    for (const auto& [path, kind] : docker::drift_candidate_files(fs, paths, users)) files.push_back(path);
    auto restored = docker::restore_docker_host(fs, files);
    if (!restored) {
      in.action_errors.push_back("--restore-docker-host: " + restored.error().message);
    } else {
      for (const auto& file : restored->files_changed) in.actions_done.push_back("restored DOCKER_HOST lines in " + file);
      if (restored->files_changed.empty()) in.actions_done.emplace_back("no DOCKER_HOST lines disabled by Phoenix to restore");
    }
  }
  if (options.fix_docker_host) {
    const auto findings = docker::scan_docker_host(fs, paths, users);
    auto fixed = docker::fix_docker_host(fs, findings);
    if (!fixed) in.action_errors.push_back("--fix-docker-host: " + fixed.error().message);
    for (const auto& f : findings) {
      const auto now = fs.read_file(f.file);
      if (now && now->find(std::string(docker::kDisabledMarker) + f.line_text) != std::string::npos) {
        in.actions_done.push_back("disabled " + f.file + ":" + std::to_string(f.line_number) + " (" + f.line_text +
                                  "); undo with --restore-docker-host");
      }
    }
    if (findings.empty()) in.actions_done.emplace_back("no DOCKER_HOST lines to disable");
  }
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& text) {
  const auto bad = [&text] {
    return make_error("invalid_endpoint", "--tls-endpoint '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:2376)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad();
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || port == 0 || port > 65535 || host.empty()) return bad();
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

Result<CertSummary> summarize_certificate_pem(const std::string& pem) {
  auto certs = pki::certificates_from_pem(pem);
  if (!certs) return certs.error();
  const auto facts = certs->front().facts();
  return CertSummary{facts.serial_hex, facts.subject_cn, facts.sha256_fingerprint, facts.not_after};
}

DoctorInputs gather_inputs(fs::FileSystem& fs, NetworkProbe& network, const DoctorOptions& options,
                           Clock::time_point now) {
  const auto paths = SystemPaths::under(options.root);
  DoctorInputs in;
  in.now = now;

  std::vector<docker::UserAccount> users;
  for (const auto& name : options.users) {
    auto resolved = docker::resolve_users(fs, paths, {name});
    if (!resolved) {
      in.users_error += (in.users_error.empty() ? "" : "; ") + resolved.error().message;
    } else {
      users.push_back(resolved->front());
    }
  }
  run_docker_host_actions(fs, paths, options, users, in);
  auto scan = docker::scan_docker_host_report(fs, paths, users);
  in.docker_host_findings = std::move(scan.findings);
  in.docker_host_left_out = scan.findings_left_out;
  in.docker_host_skipped = std::move(scan.skipped);

  in.engine = network.probe_engine(options.docker_socket, options.timeout);
  in.engine.socket_path = options.docker_socket;
  in.daemon_json = read_daemon_json(fs, paths);
  in.unit = read_unit(fs, paths);

  const auto& s = in.daemon_json.settings;
  if (s.tlscacert) in.cert_files.push_back(read_cert_file(fs, "ca", *s.tlscacert, paths.host_path(*s.tlscacert), false));
  if (s.tlscert) {
    in.cert_files.push_back(read_cert_file(fs, "server cert", *s.tlscert, paths.host_path(*s.tlscert), false));
  }
  if (s.tlskey) in.cert_files.push_back(read_cert_file(fs, "server key", *s.tlskey, paths.host_path(*s.tlskey), true));

  const auto daemon_ca = s.tlscacert ? read_optional(fs, paths.host_path(server_ca_path(*s.tlscacert))) : std::nullopt;
  const auto daemon_client_ca = s.tlscacert ? read_optional(fs, paths.host_path(*s.tlscacert)) : std::nullopt;
  for (const auto& user : users) {
    UserContextFacts facts;
    facts.user = user.name;
    facts.status = docker::inspect_phoenix_context(fs, user);
    const auto p = docker::context_paths(user);
    if (facts.status.present && daemon_ca) {
      if (auto context_ca = read_optional(fs, p.ca_pem)) facts.ca_matches_daemon = *context_ca == *daemon_ca;
    }
    if (facts.status.present && daemon_client_ca) {
      if (auto cert = read_optional(fs, p.cert_pem)) facts.client_accepted = client_accepted(*daemon_client_ca, *cert, now);
    }
    if (facts.status.present && fs.exists(p.cert_pem)) {
      in.cert_files.push_back(read_cert_file(fs, "client cert (" + user.name + ")", p.cert_pem, p.cert_pem, false));
    }
    in.users.push_back(std::move(facts));
  }

  in.tls_endpoint = probe_tls_endpoint(fs, network, paths, options, in.daemon_json, users);
  return in;
}

}  // namespace phoenix::agent::doctor
