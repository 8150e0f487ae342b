// /etc/docker/daemon.json as the agent finds it: the TLS merge and the report `doctor` reads.
// A merge that succeeds must produce a file the report reads back with Phoenix's settings.
#include "agent/docker/daemon_json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix::agent::docker;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)read_daemon_tls_settings(text);
  (void)tcp_port_of(text);
  DaemonTlsSettings settings;
  settings.ca_path = "/etc/docker/tls/ca.pem";
  settings.cert_path = "/etc/docker/tls/server-cert.pem";
  settings.key_path = "/etc/docker/tls/server-key.pem";
  settings.write_hosts = size % 2 == 0;
  auto merged = merge_daemon_json(text, settings);
  if (!merged) return 0;
  auto report = read_daemon_tls_settings(*merged);
  if (!report || !report->tlsverify || report->tlscert != settings.cert_path) std::abort();
  return 0;
}
