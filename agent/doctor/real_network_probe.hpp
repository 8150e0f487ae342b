#pragma once
// NetworkProbe over the Engine API client (agent/engine): the unix socket and the TLS
// certificate probe, each with a deadline.
#include "agent/doctor/doctor_probe.hpp"

namespace phoenix::agent::doctor {

class RealNetworkProbe final : public NetworkProbe {
 public:
  EngineFacts probe_engine(const std::string& socket_path, std::chrono::milliseconds timeout) override;
  Result<CertSummary> served_certificate(const std::string& host, std::uint16_t port, const ProbeTls& tls,
                                         bool verify_peer, std::chrono::milliseconds timeout) override;
};

}  // namespace phoenix::agent::doctor
