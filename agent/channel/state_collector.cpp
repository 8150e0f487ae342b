#include "agent/channel/state_collector.hpp"

#include "agent/docker/context_store.hpp"
#include "agent/docker/daemon_json.hpp"
#include "agent/docker/docker_host_drift.hpp"
#include "agent/docker/system_paths.hpp"
#include "agent/docker/user_account.hpp"
#include "phoenix/version.hpp"
#include "shared/pki/certificate.hpp"

namespace phoenix::agent {
namespace {

std::optional<CertObservation> cert_of(std::string_view pem) {
  auto certs = pki::certificates_from_pem(pem);
  if (!certs || certs->empty()) return std::nullopt;
  const auto facts = certs->front().facts();
  return CertObservation{facts.serial_hex, facts.not_after};
}

std::optional<CertObservation> cert_file(const fs::FileSystem& fs, const std::string& path) {
  auto text = fs.read_file(path);
  if (!text) return std::nullopt;
  return cert_of(*text);
}

}  // namespace

AgentStateInputs collect_state_inputs(const fs::FileSystem& fs, const StateSources& sources) {
  AgentStateInputs in;
  in.agent_version = kVersion;
  in.vm = sources.vm;
  in.identity = cert_of(sources.identity_cert_pem);

  engine::HttpClientOptions options;
  options.timeout = sources.engine_timeout;
  options.body_limit = 1024 * 1024;
  auto client = engine::EngineClient::for_unix_socket(sources.docker_socket, options);
  if (!client) {
    in.engine.error = client.error().message;
  } else {
    const auto ping = client->ping();
    const Result<nlohmann::json> version =
        ping ? client->version() : Result<nlohmann::json>(make_error("skipped", "dockerd unreachable"));
    in.engine = observe_engine(ping, version);
    if (ping) {
      if (auto info = client->info()) in.swarm = observe_swarm(*info);
    }
  }

  const auto paths = docker::SystemPaths::under(sources.root);
  if (auto text = fs.read_file(paths.daemon_json)) {
    if (auto settings = docker::read_daemon_tls_settings(*text); settings && settings->tlscert) {
      in.docker_server = cert_file(fs, paths.host_path(*settings->tlscert));
    }
  }
  std::vector<docker::UserAccount> users;
  for (const auto& name : sources.users) {
    auto resolved = docker::resolve_users(fs, paths, {name});
    if (!resolved) {
      in.contexts.push_back({name, false, false});
      continue;
    }
    const auto& user = resolved->front();
    users.push_back(user);
    const auto status = docker::inspect_phoenix_context(fs, user);
    in.contexts.push_back({user.name, status.present, status.current});
    if (!in.docker_client && status.present) in.docker_client = cert_file(fs, docker::context_paths(user).cert_pem);
  }
  for (const auto& finding : docker::scan_docker_host(fs, paths, users)) {
    in.docker_host_findings.push_back({finding.file, finding.line_number, finding.value});
  }
  return in;
}

}  // namespace phoenix::agent
