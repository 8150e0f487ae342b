#include "hub/admin/cert_expiry.hpp"

#include <algorithm>

namespace phoenix::hub {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Floor division: -1 s is day -1, not day 0.
std::int64_t floor_days(std::int64_t secs) {
  constexpr std::int64_t day = 86400;
  return secs >= 0 ? secs / day : -((-secs + day - 1) / day);
}

// A cert's date for a sentence: the day is enough.
std::string day_of(pki::TimePoint when) { return pki::format_utc(when).substr(0, 10); }

std::string advice(const std::string& name) {
  if (name == "hub-server") {
    return "the hub renews it itself on start and every few hours; if it does not, see its log";
  }
  if (name == "identity-ca") {
    return "agents and the hub stop trusting each other then: plan an identity CA replacement "
           "(docs/trust-model.md)";
  }
  return "run a docker-ca rotation (phoenix-hub rotate --kind docker-ca) before then";
}

}  // namespace

RenewalDecision decide_server_renewal(pki::TimePoint cert_not_before, pki::TimePoint cert_not_after,
                                      pki::TimePoint ca_not_after, pki::TimePoint now) {
  RenewalDecision out;
  const auto lifetime = std::max(cert_not_after - cert_not_before, pki::TimePoint::duration::zero());
  const auto window = std::max<pki::TimePoint::duration>(lifetime / 3, kRenewalLatest);
  // A lifetime under 30 days is renewed in its last third only, else it would always be due.
  const auto effective = lifetime <= kRenewalLatest ? lifetime / 3 : window;
  out.due_at = cert_not_after - effective;
  if (cert_not_after >= ca_not_after) {
    out.reason = "the server cert already ends with the identity CA (" + day_of(ca_not_after) +
                 "): a renewal cannot extend it; the identity CA must be replaced";
    out.due_at = pki::TimePoint::max();
    return out;
  }
  if (now < out.due_at) {
    out.reason = "valid until " + day_of(cert_not_after) + "; renewal due from " + day_of(out.due_at);
    return out;
  }
  out.renew = true;
  out.reason = now >= cert_not_after
                   ? "it expired on " + day_of(cert_not_after)
                   : "it ends on " + day_of(cert_not_after) + " (renewal window opened " + day_of(out.due_at) + ")";
  return out;
}

std::chrono::seconds next_renewal_check(pki::TimePoint due_at, pki::TimePoint now, std::chrono::seconds max_wait) {
  // A floor, so nothing can make the check spin; a successful renewal moves the window months on.
  constexpr std::chrono::seconds min_wait{10};
  if (due_at <= now) return min_wait;
  // Compared before converting: due_at may be max(), whose distance overflows seconds' math.
  if (due_at - now >= max_wait) return max_wait;
  return std::max(min_wait, duration_cast<seconds>(due_at - now) + seconds{1});
}

const char* expiry_status_name(ExpiryStatus status) {
  switch (status) {
    case ExpiryStatus::ok: return "ok";
    case ExpiryStatus::warning: return "warning";
    case ExpiryStatus::expired: return "expired";
  }
  return "ok";
}

ExpirySummary summarize_expiry(const std::vector<CertValidity>& certs, pki::TimePoint now,
                               std::chrono::seconds warn_within) {
  ExpirySummary out;
  for (const auto& cert : certs) {
    CertExpiryEntry entry;
    entry.name = cert.name;
    entry.not_after = cert.not_after;
    entry.seconds_left = duration_cast<seconds>(cert.not_after - now).count();
    entry.days_left = floor_days(entry.seconds_left);
    if (entry.seconds_left <= 0) {
      entry.status = ExpiryStatus::expired;
      out.warnings.push_back(cert.name + " expired on " + day_of(cert.not_after) + ": " + advice(cert.name));
    } else if (entry.seconds_left < warn_within.count()) {
      entry.status = ExpiryStatus::warning;
      out.warnings.push_back(cert.name + " expires in " + std::to_string(entry.days_left) + " day(s), on " +
                             day_of(cert.not_after) + ": " + advice(cert.name));
    }
    out.certs.push_back(std::move(entry));
  }
  return out;
}

}  // namespace phoenix::hub
