#include "agent/channel/renewal_schedule.hpp"

#include <algorithm>

namespace phoenix::agent {

pki::TimePoint renewal_time(pki::TimePoint not_before, pki::TimePoint not_after,
                            const UniformRandom& random) {
  if (not_after <= not_before) return not_before;
  const auto lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(not_after - not_before);
  const double r = std::clamp(random ? random() : 0.0, 0.0, 1.0);
  const double fraction = kRenewalWindowStart + (kRenewalWindowEnd - kRenewalWindowStart) * r;
  const auto offset = std::chrono::milliseconds{
      static_cast<long long>(static_cast<double>(lifetime.count()) * fraction)};
  return not_before + std::chrono::duration_cast<pki::TimePoint::duration>(offset);
}

}  // namespace phoenix::agent
