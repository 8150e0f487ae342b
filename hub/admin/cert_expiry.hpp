#pragma once
// When the hub's own certificates need attention, decided without I/O (the clock is a
// parameter): the renewal window of the hub's server cert, and the expiry summary of every
// CA and the server cert that /health, /metrics and the dashboard show.
#include "shared/pki/asn1_time.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace phoenix::hub {

// A cert this close to its end is a warning in /health and on the dashboard.
inline constexpr std::chrono::seconds kExpiryWarningWindow{30LL * 24 * 3600};
// The server cert is renewed in the last third of its lifetime, and at the latest 30 days
// before its end (whichever comes first): a hub that is down for weeks still starts with time
// to spare, and a short-lived cert is not renewed on every check.
inline constexpr std::chrono::seconds kRenewalLatest{30LL * 24 * 3600};

struct RenewalDecision {
  bool renew = false;
  pki::TimePoint due_at{};  // when the window opens (now or earlier when renew)
  std::string reason;       // for the log: why (or why not)
};

// `cert_*`: the server cert's validity; `ca_not_after`: the identity CA's end. A cert that
// already ends with its CA (issuance cuts leaves at the CA's end) is not renewed: a new one
// would end at the same moment; the reason then says the CA must be replaced.
RenewalDecision decide_server_renewal(pki::TimePoint cert_not_before, pki::TimePoint cert_not_after,
                                      pki::TimePoint ca_not_after, pki::TimePoint now);

// How long serve waits before it checks the server cert again: until the window opens, but at
// most `max_wait` (a clock step or a replaced file is seen within that) and at least 10 s.
inline constexpr std::chrono::seconds kMaxRenewalCheckWait{6 * 3600};
std::chrono::seconds next_renewal_check(pki::TimePoint due_at, pki::TimePoint now,
                                        std::chrono::seconds max_wait = kMaxRenewalCheckWait);

struct CertValidity {
  std::string name;  // "identity-ca", "docker-ca", "hub-server", …
  pki::TimePoint not_after{};
};

enum class ExpiryStatus { ok, warning, expired };
const char* expiry_status_name(ExpiryStatus status);

struct CertExpiryEntry {
  std::string name;
  pki::TimePoint not_after{};
  std::int64_t seconds_left = 0;  // negative once expired
  std::int64_t days_left = 0;     // whole days, rounded down (-1 on the day after expiry)
  ExpiryStatus status = ExpiryStatus::ok;
};

struct ExpirySummary {
  std::vector<CertExpiryEntry> certs;  // in the order given
  std::vector<std::string> warnings;   // one sentence per cert that is not ok, saying what to do
  bool has_warnings() const { return !warnings.empty(); }
};

ExpirySummary summarize_expiry(const std::vector<CertValidity>& certs, pki::TimePoint now,
                               std::chrono::seconds warn_within = kExpiryWarningWindow);

}  // namespace phoenix::hub
