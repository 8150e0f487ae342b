#include "hub/metrics/metrics.hpp"

#include "hub/api/metrics_routes.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

TEST(Metrics, CountsHttpRequestsByMethodRouteAndStatus) {
  Metrics m;
  m.count_http_request("GET", "/vms", 200);
  m.count_http_request("GET", "/vms", 200);
  m.count_http_request("POST", "/vms/{name}/start", 409);
  const auto text = m.render();
  EXPECT_NE(text.find("# TYPE phoenix_http_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("phoenix_http_requests_total{method=\"GET\",route=\"/vms\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("phoenix_http_requests_total{method=\"POST\",route=\"/vms/{name}/start\",status=\"409\"} 1\n"),
            std::string::npos);
}

TEST(Metrics, TartCallsFormACumulativeHistogram) {
  Metrics m;
  m.observe_tart_call("list", 300ms, true);
  m.observe_tart_call("list", 2s, true);
  m.observe_tart_call("stop", 40s, false);
  const auto text = m.render();
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_bucket{command=\"list\",result=\"ok\",le=\"0.25\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_bucket{command=\"list\",result=\"ok\",le=\"0.5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_bucket{command=\"list\",result=\"ok\",le=\"2.5\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_bucket{command=\"list\",result=\"ok\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_count{command=\"list\",result=\"ok\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_sum{command=\"list\",result=\"ok\"} 2.3\n"), std::string::npos);
  EXPECT_NE(text.find("phoenix_tart_call_duration_seconds_count{command=\"stop\",result=\"error\"} 1\n"),
            std::string::npos);
}

TEST(Metrics, CollectorsRunAtEveryScrapeAndLabelValuesAreEscaped) {
  Metrics m;
  int scrapes = 0;
  m.add_collector([&] {
    ++scrapes;
    return std::vector<MetricFamily>{
        {"phoenix_test_gauge", "A test gauge.", "gauge", {{{{"vm", "a\"b\\c\nd"}}, 1.5}}}};
  });
  const auto text = m.render();
  (void)m.render();
  EXPECT_EQ(scrapes, 2);
  EXPECT_NE(text.find("# HELP phoenix_test_gauge A test gauge.\n# TYPE phoenix_test_gauge gauge\n"), std::string::npos);
  EXPECT_NE(text.find("phoenix_test_gauge{vm=\"a\\\"b\\\\c\\nd\"} 1.5\n"), std::string::npos) << text;
}

TEST(Metrics, DaysUntilAnIsoTime) {
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
  EXPECT_DOUBLE_EQ(api::days_until("2027-01-16T08:00:00Z", now).value(), 1.0);
  EXPECT_DOUBLE_EQ(api::days_until("2027-01-15T20:00:00Z", now).value(), 0.5);
  EXPECT_LT(api::days_until("2026-01-15T08:00:00Z", now).value(), 0.0);
  EXPECT_FALSE(api::days_until("2027-01-16 08:00:00", now));
  EXPECT_FALSE(api::days_until("", now));
}

// Found by the hub_fleet fuzz target: a certificate dated year 1013 (or 9999) in an agent's
// state overflowed the nanosecond time_point (undefined behaviour; garbage on GCC).
TEST(Metrics, DaysUntilFarFromNowDoesNotOverflow) {
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
  const auto past = api::days_until("1013-01-15T08:00:00Z", now);
  ASSERT_TRUE(past);
  EXPECT_NEAR(*past, -1014 * 365.2425, 2.0);
  const auto future = api::days_until("9999-01-15T08:00:00Z", now);
  ASSERT_TRUE(future);
  EXPECT_NEAR(*future, 7972 * 365.2425, 2.0);
}

}  // namespace
}  // namespace phoenix::hub
