#pragma once
// Conversions between X.509 times and std::chrono, so that the rest of Phoenix (rotation
// schedules, status reports) never handles ASN1_TIME or time_t.
#include "shared/core/error.hpp"
#include "shared/pki/openssl_ptr.hpp"

#include <chrono>
#include <string>

namespace phoenix::pki {

using TimePoint = std::chrono::system_clock::time_point;

// Fails with "invalid_pem" on a malformed time (it comes from a parsed certificate).
Result<TimePoint> to_time_point(const ASN1_TIME* time);

// UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5). Null only on allocation
// failure.
Asn1TimePtr to_asn1_time(TimePoint time);

// "2026-11-25T16:00:00Z", for messages and status reports.
std::string format_utc(TimePoint time);

}  // namespace phoenix::pki
