#include "hub/api/hub_certificates.hpp"

namespace phoenix::hub::api {

HubCertificates::HubCertificates(pki::TimePoint identity_ca_not_after, std::shared_ptr<const DockerTrust> docker,
                                 pki::TimePoint server_not_after)
    : identity_ca_not_after_(identity_ca_not_after), docker_(std::move(docker)), server_not_after_(server_not_after) {}

void HubCertificates::set_server_not_after(pki::TimePoint not_after) {
  std::lock_guard lock(mutex_);
  server_not_after_ = not_after;
}

std::vector<CertValidity> HubCertificates::current() const {
  std::vector<CertValidity> out{{"identity-ca", identity_ca_not_after_}};
  if (docker_) {
    for (auto& [name, not_after] : docker_->ca_expiry()) out.push_back({name, not_after});
  }
  std::lock_guard lock(mutex_);
  out.push_back({"hub-server", server_not_after_});
  return out;
}

ExpirySummary HubCertificates::summary(pki::TimePoint now) const { return summarize_expiry(current(), now); }

void add_certificate_health(nlohmann::json& body, const ExpirySummary& summary) {
  auto certs = nlohmann::json::object();
  for (const auto& cert : summary.certs) {
    certs[cert.name] = {{"not_after", pki::format_utc(cert.not_after)},
                        {"days_left", cert.days_left},
                        {"seconds_left", cert.seconds_left},
                        {"status", expiry_status_name(cert.status)}};
  }
  body["certificates"] = std::move(certs);
  body["warnings"] = summary.warnings;
}

std::vector<MetricFamily> certificate_metrics(const ExpirySummary& summary) {
  MetricFamily left{"phoenix_certificate_expiry_seconds",
                    "Seconds until one of the hub's own certificates (a CA, the agent endpoint's server cert) "
                    "expires; negative once expired.",
                    "gauge", {}};
  MetricFamily end{"phoenix_certificate_not_after_timestamp_seconds",
                   "When one of the hub's own certificates expires, in Unix seconds.", "gauge", {}};
  for (const auto& cert : summary.certs) {
    left.samples.push_back({{{"cert", cert.name}}, static_cast<double>(cert.seconds_left)});
    const auto unix_s = std::chrono::duration_cast<std::chrono::seconds>(cert.not_after.time_since_epoch()).count();
    end.samples.push_back({{{"cert", cert.name}}, static_cast<double>(unix_s)});
  }
  return {std::move(left), std::move(end)};
}

}  // namespace phoenix::hub::api
