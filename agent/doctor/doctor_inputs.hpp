#pragma once
// Everything `phoenix-agent doctor` observed, as plain data: the I/O shell
// (doctor_probe.hpp) fills it in, build_report (doctor_report.hpp) judges it without I/O.
#include "agent/docker/context_store.hpp"
#include "agent/docker/daemon_json.hpp"
#include "agent/docker/docker_host_drift.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::agent::doctor {

using Clock = std::chrono::system_clock;

// The facts of one certificate that the doctor reports on.
struct CertSummary {
  std::string serial_hex;  // upper-case hex
  std::string subject;
  std::string sha256_fingerprint;
  Clock::time_point not_after{};
};

struct EngineFacts {
  std::string socket_path;
  bool reachable = false;
  std::string error;           // why not, when unreachable
  std::string api_version;     // negotiated
  std::string docker_version;  // /version "Version"
};

struct DaemonJsonFacts {
  std::string path;           // host path
  bool present = false;
  std::string error;          // unreadable or invalid
  docker::DaemonTlsReport settings;
};

// One of the files daemon.json points at (tlscacert, tlscert, tlskey) or a context's.
struct CertFileFacts {
  std::string role;       // "ca", "server cert", "server key", "client cert (root)"
  std::string path;       // as configured (system path)
  bool is_key = false;
  bool exists = false;
  std::string error;      // unreadable / not a certificate
  mode_t mode = 0;        // keys: permission bits
  std::optional<CertSummary> cert;  // certificates that parsed
};

struct TlsEndpointFacts {
  std::string endpoint;            // "127.0.0.1:2376"
  bool attempted = false;
  std::string skipped_reason;      // when not attempted
  std::string error;               // connection / handshake failure
  std::string verify_error;        // served cert did not verify with the CA (seen unverified)
  std::string client_material;     // whose client cert was presented
  std::optional<CertSummary> served;
  std::optional<CertSummary> on_disk;  // daemon.json's tlscert
};

// docker.service as systemd would run it (the unit plus its drop-ins).
struct UnitFacts {
  bool found = false;
  std::string path;
  bool passes_host_flag = false;  // effective ExecStart has -H/--host
};

struct UserContextFacts {
  std::string user;
  docker::ContextStatus status;
  std::optional<bool> ca_matches_daemon;  // context ca.pem == the CA of dockerd's server cert (bytes)
  std::optional<bool> client_accepted;    // dockerd's tlscacert accepts the context's client cert
};

struct DoctorInputs {
  Clock::time_point now{};
  EngineFacts engine;
  DaemonJsonFacts daemon_json;
  UnitFacts unit;
  std::vector<CertFileFacts> cert_files;
  TlsEndpointFacts tls_endpoint;
  std::string users_error;  // --users named an unknown user
  std::vector<UserContextFacts> users;
  std::vector<docker::DriftFinding> docker_host_findings;  // after any fix/restore
  std::size_t docker_host_left_out = 0;                    // findings beyond the scan's cap
  std::vector<docker::DriftSkip> docker_host_skipped;      // files the scan refused to read
  std::vector<std::string> actions_done;    // what --fix/--restore changed
  std::vector<std::string> action_errors;   // what they could not change
};

}  // namespace phoenix::agent::doctor
