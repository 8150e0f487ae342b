#pragma once
// When the agent renews its identity (SPEC "Trust model"): at a uniformly random point
// between 70 % and 90 % of the certificate's lifetime, as kubelet does, so a fleet
// enrolled at once does not renew at once, and a renewal that fails has a fifth of the
// lifetime left to be retried before the certificate lapses.
#include "agent/channel/backoff.hpp"
#include "shared/pki/asn1_time.hpp"

namespace phoenix::agent {

inline constexpr double kRenewalWindowStart = 0.70;
inline constexpr double kRenewalWindowEnd = 0.90;

// not_before + lifetime * uniform(0.70, 0.90). A certificate whose not_after is not after
// its not_before renews at not_before (at once).
pki::TimePoint renewal_time(pki::TimePoint not_before, pki::TimePoint not_after,
                            const UniformRandom& random);

}  // namespace phoenix::agent
