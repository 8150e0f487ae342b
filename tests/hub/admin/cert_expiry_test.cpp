// The hub's own certificates, decided without I/O: when the server cert is renewed, and what
// /health, /metrics and the dashboard say about every CA and the server cert (a fixed `now`).
#include "hub/admin/cert_expiry.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
constexpr std::chrono::hours kDay{24};

// 2030-01-01T00:00:00Z: a fixed clock for every case.
const pki::TimePoint kNow = pki::TimePoint{} + std::chrono::seconds{1893456000};
const pki::TimePoint kCaEnd = kNow + 3650 * kDay;

TEST(ServerRenewal, AYearLongCertIsRenewedInItsLastThird) {
  const auto start = kNow - 200 * kDay;
  const auto end = start + 365 * kDay;
  const auto fresh = decide_server_renewal(start, end, kCaEnd, kNow);
  EXPECT_FALSE(fresh.renew) << fresh.reason;
  EXPECT_EQ(fresh.due_at, end - (365 * kDay) / 3);
  EXPECT_NE(fresh.reason.find("renewal due from"), std::string::npos) << fresh.reason;
  // One day into the last third (121.67 days before its end):
  const auto due = decide_server_renewal(start, end, kCaEnd, end - 120 * kDay);
  EXPECT_TRUE(due.renew) << due.reason;
  EXPECT_TRUE(decide_server_renewal(start, end, kCaEnd, end - 122 * kDay).renew == false);
}

TEST(ServerRenewal, ALongerCertIsRenewedAtTheLatestThirtyDaysBeforeItsEnd) {
  // 45 days: a third is 15 days, so the 30-day limit comes first.
  const auto start = kNow;
  const auto end = start + 45 * kDay;
  EXPECT_FALSE(decide_server_renewal(start, end, kCaEnd, end - 31 * kDay).renew);
  EXPECT_TRUE(decide_server_renewal(start, end, kCaEnd, end - 29 * kDay).renew);
}

TEST(ServerRenewal, AShortCertIsNotAlwaysDue) {
  // 3 days: under 30 days of lifetime, only the last third counts.
  const auto start = kNow;
  const auto end = start + 72h;
  EXPECT_FALSE(decide_server_renewal(start, end, kCaEnd, start + 47h).renew);
  EXPECT_TRUE(decide_server_renewal(start, end, kCaEnd, start + 49h).renew);
}

TEST(ServerRenewal, AnExpiredCertIsRenewedAndSaysSo) {
  const auto start = kNow - 400 * kDay;
  const auto end = start + 365 * kDay;
  const auto decision = decide_server_renewal(start, end, kCaEnd, kNow);
  EXPECT_TRUE(decision.renew);
  EXPECT_NE(decision.reason.find("expired"), std::string::npos) << decision.reason;
}

TEST(ServerRenewal, ACertThatEndsWithItsCaIsNotRenewedInALoop) {
  // Issuance cuts leaves at the CA's end; renewing would give the same end again.
  const auto start = kNow - 350 * kDay;
  const auto end = kNow + 10 * kDay;
  const auto decision = decide_server_renewal(start, end, end, kNow);
  EXPECT_FALSE(decision.renew);
  EXPECT_EQ(decision.due_at, pki::TimePoint::max());
  EXPECT_NE(decision.reason.find("identity CA must be replaced"), std::string::npos) << decision.reason;
}

TEST(ServerRenewal, TheNextCheckIsWhenTheWindowOpensWithinBounds) {
  EXPECT_EQ(next_renewal_check(kNow + 5s, kNow), 10s);         // never a spin
  EXPECT_EQ(next_renewal_check(kNow - 10 * kDay, kNow), 10s);  // overdue: check again soon
  EXPECT_EQ(next_renewal_check(kNow + 30s, kNow), 31s);
  EXPECT_EQ(next_renewal_check(kNow + 2h, kNow), 2h + 1s);
  EXPECT_EQ(next_renewal_check(kNow + 100 * kDay, kNow), kMaxRenewalCheckWait);
  EXPECT_EQ(next_renewal_check(pki::TimePoint::max(), kNow), kMaxRenewalCheckWait);
}

TEST(ExpirySummary, OkWarningAndExpiredWithTheirDaysLeft) {
  const auto summary = summarize_expiry({{"identity-ca", kNow + 3000 * kDay},
                                         {"docker-ca", kNow + 29 * kDay + 1h},
                                         {"hub-server", kNow - 1s}},
                                        kNow);
  ASSERT_EQ(summary.certs.size(), 3u);
  EXPECT_EQ(summary.certs[0].status, ExpiryStatus::ok);
  EXPECT_EQ(summary.certs[0].days_left, 3000);
  EXPECT_EQ(summary.certs[0].seconds_left, 3000 * 86400);
  EXPECT_EQ(summary.certs[1].status, ExpiryStatus::warning);
  EXPECT_EQ(summary.certs[1].days_left, 29);
  EXPECT_EQ(summary.certs[2].status, ExpiryStatus::expired);
  EXPECT_EQ(summary.certs[2].seconds_left, -1);
  EXPECT_EQ(summary.certs[2].days_left, -1);
  ASSERT_EQ(summary.warnings.size(), 2u);
  EXPECT_NE(summary.warnings[0].find("docker-ca expires in 29 day(s), on 2030-01-30"), std::string::npos)
      << summary.warnings[0];
  EXPECT_NE(summary.warnings[0].find("rotate --kind docker-ca"), std::string::npos) << summary.warnings[0];
  EXPECT_NE(summary.warnings[1].find("hub-server expired on 2029-12-31"), std::string::npos) << summary.warnings[1];
  EXPECT_STREQ(expiry_status_name(summary.certs[1].status), "warning");
}

TEST(ExpirySummary, TheWarningStartsThirtyDaysOut) {
  EXPECT_FALSE(summarize_expiry({{"identity-ca", kNow + 30 * kDay}}, kNow).has_warnings());
  EXPECT_TRUE(summarize_expiry({{"identity-ca", kNow + 30 * kDay - 1s}}, kNow).has_warnings());
  EXPECT_FALSE(summarize_expiry({{"identity-ca", kNow + 30 * kDay - 1s}}, kNow, 7 * kDay).has_warnings());
}

}  // namespace
}  // namespace phoenix::hub
