#include "agent/doctor/real_network_probe.hpp"

#include "agent/engine/engine_client.hpp"
#include "agent/engine/server_certificate.hpp"

namespace phoenix::agent::doctor {

EngineFacts RealNetworkProbe::probe_engine(const std::string& socket_path, std::chrono::milliseconds timeout) {
  EngineFacts facts;
  facts.socket_path = socket_path;
  engine::HttpClientOptions options;
  options.timeout = timeout;
  auto client = engine::EngineClient::for_unix_socket(socket_path, options);
  if (!client) {
    facts.error = client.error().message;
    return facts;
  }
  auto ping = client->ping();
  if (!ping) {
    facts.error = ping.error().message;
    return facts;
  }
  facts.reachable = true;
  facts.api_version = ping->negotiated_version;
  if (auto version = client->version(); version && version->is_object()) {
    if (const auto v = version->find("Version"); v != version->end() && v->is_string()) {
      facts.docker_version = v->get<std::string>();
    }
  }
  return facts;
}

Result<CertSummary> RealNetworkProbe::served_certificate(const std::string& host, std::uint16_t port,
                                                         const ProbeTls& tls, bool verify_peer,
                                                         std::chrono::milliseconds timeout) {
  engine::TlsMaterial material{tls.ca_pem, tls.cert_pem, tls.key_pem};
  engine::CertificateProbeOptions options;
  options.timeout = timeout;
  options.verify_peer = verify_peer;
  auto peer = engine::fetch_server_certificate(host, port, material, options);
  if (!peer) return peer.error();
  return CertSummary{peer->serial_hex, peer->subject, peer->sha256_fingerprint, peer->not_after};
}

}  // namespace phoenix::agent::doctor
