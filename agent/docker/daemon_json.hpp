#pragma once
// /etc/docker/daemon.json is merged, never clobbered: every key the operator put there
// (log-driver, registry-mirrors, ...) survives; Phoenix only sets the TLS keys and its
// listeners. Pure functions over text; the caller reads and writes the file.
#include "shared/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::agent::docker {

inline constexpr std::string_view kDefaultUnixHost = "unix:///var/run/docker.sock";
inline constexpr std::string_view kDefaultTcpHost = "tcp://0.0.0.0:2376";

struct DaemonTlsSettings {
  // Absolute paths as dockerd sees them (no --root prefix).
  std::string ca_path;
  std::string cert_path;
  std::string key_path;
  std::string unix_host = std::string(kDefaultUnixHost);  // "unix://" + --docker-socket
  std::string tcp_host = std::string(kDefaultTcpHost);    // --listen
  // false when dockerd's unit keeps passing -H (no drop-in): `hosts` in the file would
  // make dockerd refuse to start ("specified both as a flag and in the configuration
  // file: hosts"), so the merge then *removes* any `hosts` key instead of setting it.
  bool write_hosts = true;
};

// Merges Phoenix's TLS settings into the existing daemon.json text.
// - empty or whitespace-only text: a fresh object;
// - not JSON, not an object, or a `hosts` that is not an array of strings:
//   Error "daemon_json_invalid" (the caller must refuse to proceed; nothing is lost);
// - sets tls=true, tlsverify=true, tlscacert, tlscert, tlskey;
// - hosts (when write_hosts): [unix_host, tcp_host] followed by the existing entries that
//   are kept: unix://, fd:// and tcp:// on other ports stay; any tcp:// entry on our
//   listener's port is replaced by ours; exact duplicates are dropped.
// Keys keep their order (new ones appended); output is indented by 2 spaces and ends
// with a newline, so merging twice gives the same bytes.
Result<std::string> merge_daemon_json(std::string_view existing_text, const DaemonTlsSettings& settings);

// What an existing daemon.json says about TLS, for `doctor` and for the apply journal.
struct DaemonTlsReport {
  bool tls = false;
  bool tlsverify = false;
  std::optional<std::string> tlscacert;
  std::optional<std::string> tlscert;
  std::optional<std::string> tlskey;
  std::vector<std::string> hosts;  // empty when the key is absent
  bool has_hosts_key = false;
};

// Empty text -> all defaults (nothing configured); invalid -> "daemon_json_invalid".
Result<DaemonTlsReport> read_daemon_tls_settings(std::string_view text);

// The port of a "tcp://host:port" address, or nullopt when there is none / not tcp.
std::optional<std::string> tcp_port_of(std::string_view host_address);

}  // namespace phoenix::agent::docker
