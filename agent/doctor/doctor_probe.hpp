#pragma once
// The doctor's I/O shell: reads the files (through fs::FileSystem) and asks the network
// (through NetworkProbe), performs --fix-docker-host / --restore-docker-host, and hands
// plain DoctorInputs to build_report. The network sits behind an interface so the whole
// gathering is unit-tested with FakeFileSystem and a fake probe.
#include "agent/doctor/doctor_inputs.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace phoenix::agent::doctor {

struct DoctorOptions {
  std::string root;                                  // --root ("" = the real system)
  std::string docker_socket = "/var/run/docker.sock";
  std::vector<std::string> users{"root"};
  std::string tls_endpoint;                          // "" = 127.0.0.1:<daemon.json's TLS port, else 2376>
  bool fix_docker_host = false;
  bool restore_docker_host = false;
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};  // per network probe
};

// PEM material presented to the TLS endpoint.
struct ProbeTls {
  std::string ca_pem;
  std::string cert_pem;  // "" = no client cert
  std::string key_pem;
};

class NetworkProbe {
 public:
  virtual ~NetworkProbe() = default;
  // /_ping then /version on the unix socket; fills reachable/error/api/docker versions.
  virtual EngineFacts probe_engine(const std::string& socket_path, std::chrono::milliseconds timeout) = 0;
  // The leaf certificate the endpoint serves. verify_peer=false to see a cert that does
  // not verify. Error code "tls_handshake_failed" when verification (or the handshake) fails.
  virtual Result<CertSummary> served_certificate(const std::string& host, std::uint16_t port, const ProbeTls& tls,
                                                 bool verify_peer, std::chrono::milliseconds timeout) = 0;
};

// "127.0.0.1:2376" / "[::1]:2376" -> host, port; "invalid_endpoint" otherwise.
Result<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& text);

// The first certificate of a PEM file (a bundle's first, a chain's leaf) summarised.
Result<CertSummary> summarize_certificate_pem(const std::string& pem);

DoctorInputs gather_inputs(fs::FileSystem& fs, NetworkProbe& network, const DoctorOptions& options,
                           Clock::time_point now);

}  // namespace phoenix::agent::doctor
