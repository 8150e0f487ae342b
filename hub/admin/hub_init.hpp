#pragma once
// `phoenix-hub init` without the command line: makes the state directory of
// docs/agent-protocol.md ("Files") and, if absent, a default hub.json. Everything is
// generated in memory and checked before the first file is written, so a refusal (an
// existing CA, a bad --san, a broken config) leaves the disk untouched.
#include "hub/admin/hub_paths.hpp"
#include "hub/admin/server_cert_renewal.hpp"
#include "shared/fs/file_system.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::hub {

inline constexpr std::chrono::seconds kCaLifetime{10LL * 365 * 24 * 3600};

struct InitOptions {
  std::string state_dir = default_hub_state_dir();
  std::string config_path = default_hub_config_path();
  std::vector<std::string> extra_sans;  // --san: DNS names or IP addresses
  std::string hostname;                 // gethostname() in production; "" to omit
  // A new hub.json gets one API write token (api.tokens), so no local process can use the
  // API without it; --no-token leaves the API open to local users (loopback only).
  bool create_api_token = true;
};

struct InitReport {
  std::vector<std::string> created;       // paths, in the order made
  std::vector<std::string> warnings;      // e.g. a hostname that is not a valid DNS name
  std::string identity_ca_fingerprint;    // lowercase hex SHA-256 of the CA cert's DER
  std::vector<std::string> server_dns_names;
  std::vector<std::string> server_ips;
  bool wrote_config = false;
  // The API write token put into the new hub.json (0600), to be shown once; "" when none.
  std::string api_token;
};

// Errors: "already_initialized" (a CA file exists: says to remove the state dir),
// "config_invalid", "invalid_name"/"invalid_ip" (a bad --san), "io_error", "store_error",
// and pki errors.
Result<InitReport> initialize_hub(fs::FileSystem& fs, const InitOptions& options);

// The default hub.json text (SPEC "Hub configuration" shape) for `public_host`, with
// `api_write_token` as its one API token when not empty.
std::string default_hub_config(const std::string& public_host, const std::string& api_write_token = "");

// This machine's host name, or "" if gethostname fails.
std::string local_hostname();

}  // namespace phoenix::hub
