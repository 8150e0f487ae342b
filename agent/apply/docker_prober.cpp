#include "agent/apply/docker_prober.hpp"

#include "agent/engine/engine_client.hpp"
#include "agent/engine/server_certificate.hpp"

namespace phoenix::agent::apply {

Result<std::string> EngineDockerProber::tls_ping(const TlsProbe& probe) {
  engine::TlsMaterial tls{probe.ca_pem, probe.cert_pem, probe.key_pem};
  engine::HttpClientOptions options;
  options.timeout = timeout_;
  auto http = engine::HttpClient::create(engine::TlsEndpoint{probe.host, probe.port, tls}, options);
  if (!http) return http.error();
  engine::EngineClient client(std::move(*http));
  if (auto ping = client.ping(); !ping) return ping.error();
  engine::CertificateProbeOptions probe_options;
  probe_options.timeout = timeout_;
  auto served = engine::fetch_server_certificate(probe.host, probe.port, tls, probe_options);
  if (!served) return served.error();
  return served->serial_hex;
}

Result<void> EngineDockerProber::unix_ping(const std::string& socket_path) {
  engine::HttpClientOptions options;
  options.timeout = timeout_;
  auto client = engine::EngineClient::for_unix_socket(socket_path, options);
  if (!client) return client.error();
  if (auto ping = client->ping(); !ping) return ping.error();
  return ok();
}

}  // namespace phoenix::agent::apply
