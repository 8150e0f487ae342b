#include "shared/pki/asn1_time.hpp"

#include <gtest/gtest.h>

namespace phoenix::pki {
namespace {

using namespace std::chrono;

TEST(Asn1Time, RoundTripsUtcTimeAndGeneralizedTime) {
  for (TimePoint when : {TimePoint{sys_days{2026y / 11 / 25} + 16h + 7min + 9s},
                         TimePoint{sys_days{2061y / 2 / 28} + 23h + 59min + 59s},
                         TimePoint{sys_days{1999y / 12 / 31}}}) {
    Asn1TimePtr encoded = to_asn1_time(when);
    ASSERT_TRUE(encoded);
    auto decoded = to_time_point(encoded.get());
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, when) << format_utc(when);
  }
}

TEST(Asn1Time, SubSecondPrecisionIsDropped) {
  TimePoint when = sys_days{2026y / 1 / 1} + 1s + 400ms;
  auto decoded = to_time_point(to_asn1_time(when).get());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, TimePoint{sys_days{2026y / 1 / 1} + 1s});
}

TEST(Asn1Time, FormatsAsIsoUtc) {
  EXPECT_EQ(format_utc(sys_days{2026y / 11 / 5} + 6h + 7min + 8s), "2026-11-05T06:07:08Z");
}

TEST(Asn1Time, NullTimeIsAnError) { EXPECT_FALSE(to_time_point(nullptr)); }

}  // namespace
}  // namespace phoenix::pki
