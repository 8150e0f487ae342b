#pragma once
// The certificates the hub itself holds and when each ends: the identity CA, every docker CA
// in force (docker-ca rotations change them at run time) and the agent endpoint's server cert
// (renewed while the hub runs). Read at request time by /health, /metrics and the dashboard,
// so a renewal or a rotation shows at once. Thread-safe.
#include "hub/admin/cert_expiry.hpp"
#include "hub/agents/docker_trust.hpp"
#include "hub/metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace phoenix::hub::api {

class HubCertificates {
 public:
  HubCertificates(pki::TimePoint identity_ca_not_after, std::shared_ptr<const DockerTrust> docker,
                  pki::TimePoint server_not_after);

  void set_server_not_after(pki::TimePoint not_after);
  // "identity-ca", each docker CA by its name ("docker-ca", …), "hub-server".
  std::vector<CertValidity> current() const;
  ExpirySummary summary(pki::TimePoint now = std::chrono::system_clock::now()) const;

 private:
  const pki::TimePoint identity_ca_not_after_;
  const std::shared_ptr<const DockerTrust> docker_;
  mutable std::mutex mutex_;
  pki::TimePoint server_not_after_;
};

// /health's "certificates" object ({name: {not_after, days_left, seconds_left, status}}) and
// "warnings" list (one sentence per cert that is not ok).
void add_certificate_health(nlohmann::json& body, const ExpirySummary& summary);

// phoenix_certificate_expiry_seconds{cert} (negative once expired) and
// phoenix_certificate_not_after_timestamp_seconds{cert}.
std::vector<MetricFamily> certificate_metrics(const ExpirySummary& summary);

}  // namespace phoenix::hub::api
