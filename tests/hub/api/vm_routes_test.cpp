// The VM API routes through the dispatcher, without sockets: status codes, JSON shapes,
// error mapping, and names that must never reach the driver.
#include "hub/api/error_status.hpp"
#include "hub/api/hub_certificates.hpp"
#include "hub/api/vm_routes.hpp"
#include "hub/http/dispatcher.hpp"
#include "tests/hub/api/fake_vm_service.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub::api {
namespace {

using http::Status;
using http::Verb;

class VmRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_->add("alpha", false);
    service_->add("beta", true);
  }

  http::Response call(Verb verb, const std::string& target) {
    http::Dispatcher dispatcher(make_api_router(service_, {"9.9.9", "tart"}),
                                std::make_shared<http::TokenAuth>(), http::HostAllowList{});
    http::Request req{verb, target, 11};
    std::optional<http::Response> answer;
    dispatcher.handle(req, [&](http::Response res) { answer = std::move(res); });
    EXPECT_TRUE(answer) << target;
    return answer.value_or(http::Response{});
  }

  static nlohmann::json json(const http::Response& res) { return nlohmann::json::parse(res.body(), nullptr, false); }
  static std::string code(const http::Response& res) { return json(res)["error"].value("code", ""); }

  std::shared_ptr<test::FakeVmService> service_ = std::make_shared<test::FakeVmService>();
};

TEST_F(VmRoutesTest, ListsVms) {
  const auto res = call(Verb::get, "/vms");
  ASSERT_EQ(res.result(), Status::ok);
  const auto body = json(res);
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u);
  EXPECT_EQ(body[0]["name"], "alpha");
  EXPECT_EQ(body[1]["state"], "running");
}

TEST_F(VmRoutesTest, GetsOneVmOr404) {
  const auto res = call(Verb::get, "/vms/alpha");
  ASSERT_EQ(res.result(), Status::ok);
  EXPECT_EQ(json(res)["name"], "alpha");
  const auto missing = call(Verb::get, "/vms/nope");
  EXPECT_EQ(missing.result(), Status::not_found);
  EXPECT_EQ(code(missing), "vm_not_found");
}

TEST_F(VmRoutesTest, StartAndStopFollowTheState) {
  const auto started = call(Verb::post, "/vms/alpha/start");
  ASSERT_EQ(started.result(), Status::ok);
  EXPECT_EQ(json(started)["running"], true);
  const auto again = call(Verb::post, "/vms/alpha/start");
  EXPECT_EQ(again.result(), Status::conflict);
  EXPECT_EQ(code(again), "already_running");
  EXPECT_EQ(call(Verb::post, "/vms/alpha/stop").result(), Status::ok);
  const auto stopped = call(Verb::post, "/vms/alpha/stop");
  EXPECT_EQ(stopped.result(), Status::conflict);
  EXPECT_EQ(code(stopped), "not_running");
}

TEST_F(VmRoutesTest, IpPassesTheWait) {
  const auto res = call(Verb::get, "/vms/beta/ip?wait=30");
  ASSERT_EQ(res.result(), Status::ok);
  EXPECT_EQ(json(res)["ip"], "192.168.64.7");
  EXPECT_EQ(service_->calls().back(), "ip beta 30");
  EXPECT_EQ(call(Verb::get, "/vms/beta/ip").result(), Status::ok);
  EXPECT_EQ(service_->calls().back(), "ip beta 0");
}

TEST_F(VmRoutesTest, BadWaitIs400AndNeverReachesTheDriver) {
  for (const char* wait : {"-1", "121", "abc", "", "1.5", "99999999999"}) {
    const auto res = call(Verb::get, std::string("/vms/beta/ip?wait=") + wait);
    EXPECT_EQ(res.result(), Status::bad_request) << wait;
    EXPECT_EQ(code(res), "bad_query") << wait;
  }
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(VmRoutesTest, HostileNamesAre400AndNeverReachTheDriver) {
  const std::string long_name(200, 'a');
  for (const std::string& name : {std::string("%2e%2e%2f"), std::string("..%2Fx"), std::string("a%3Bid"),
                                  std::string("-rf"), std::string("%24(id)"), std::string("$(id)"),
                                  long_name, std::string(".hidden"), std::string("a%20b"),
                                  std::string("%00")}) {
    for (const auto& [verb, suffix] : std::vector<std::pair<Verb, std::string>>{
             {Verb::get, ""}, {Verb::post, "/start"}, {Verb::post, "/stop"}, {Verb::get, "/ip"}}) {
      const auto res = call(verb, "/vms/" + name + suffix);
      EXPECT_EQ(res.result(), Status::bad_request) << name << suffix;
      EXPECT_EQ(code(res), "invalid_name") << name << suffix;
    }
  }
  EXPECT_TRUE(service_->calls().empty());
}

TEST_F(VmRoutesTest, LongestValidNameIsAccepted) {
  const std::string name = "a" + std::string(63, 'b');
  EXPECT_EQ(call(Verb::get, "/vms/" + name).result(), Status::not_found);
  EXPECT_EQ(call(Verb::get, "/vms/" + name + "b").result(), Status::bad_request);
}

TEST_F(VmRoutesTest, HealthReportsTheDriver) {
  const auto res = call(Verb::get, "/health");
  ASSERT_EQ(res.result(), Status::ok);
  EXPECT_EQ(json(res)["status"], "ok");
  EXPECT_EQ(json(res)["version"], "9.9.9");
  EXPECT_EQ(json(res)["tart"]["ok"], true);
  service_->set_health(false, "tart not found at /nowhere");
  const auto degraded = call(Verb::get, "/health");
  EXPECT_EQ(degraded.result(), Status::service_unavailable);
  EXPECT_EQ(json(degraded)["status"], "degraded");
  EXPECT_EQ(json(degraded)["tart"]["detail"], "tart not found at /nowhere");
}

TEST_F(VmRoutesTest, HealthWarnsOfCertificatesEndingSoonAndStays200) {
  const auto now = std::chrono::system_clock::now();
  const auto summary = summarize_expiry({{"identity-ca", now + std::chrono::hours(24 * 3000)},
                                         {"hub-server", now + std::chrono::hours(24 * 10)}},
                                        now);
  ApiInfo info{"9.9.9", "tart"};
  info.add_health = [summary](nlohmann::json& body, bool&) { add_certificate_health(body, summary); };
  auto call_health = [&] {
    http::Dispatcher dispatcher(make_api_router(service_, info), std::make_shared<http::TokenAuth>(),
                                http::HostAllowList{});
    std::optional<http::Response> answer;
    dispatcher.handle(http::Request{Verb::get, "/health", 11}, [&](http::Response res) { answer = std::move(res); });
    return answer.value_or(http::Response{});
  };
  const auto res = call_health();
  // Restarting the hub would not help: a liveness probe still sees 200.
  ASSERT_EQ(res.result(), Status::ok);
  const auto body = json(res);
  EXPECT_EQ(body["status"], "warning") << body.dump();
  EXPECT_EQ(body["certificates"]["hub-server"]["status"], "warning");
  EXPECT_EQ(body["certificates"]["hub-server"]["days_left"], 10);
  EXPECT_EQ(body["certificates"]["identity-ca"]["status"], "ok");
  EXPECT_TRUE(body["certificates"]["identity-ca"]["not_after"].is_string());
  ASSERT_EQ(body["warnings"].size(), 1u);
  EXPECT_NE(body["warnings"][0].get<std::string>().find("hub-server expires in 10 day(s)"), std::string::npos);
  // A broken driver still makes it "degraded" (503), warnings or not.
  service_->set_health(false, "tart not found at /nowhere");
  const auto degraded = call_health();
  EXPECT_EQ(degraded.result(), Status::service_unavailable);
  EXPECT_EQ(json(degraded)["status"], "degraded");
  EXPECT_EQ(json(degraded)["warnings"].size(), 1u);
}

TEST_F(VmRoutesTest, CertificateMetricsNameEachCert) {
  const auto now = std::chrono::system_clock::now();
  const auto families =
      certificate_metrics(summarize_expiry({{"identity-ca", now + std::chrono::seconds(1000)}}, now));
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "phoenix_certificate_expiry_seconds");
  ASSERT_EQ(families[0].samples.size(), 1u);
  EXPECT_EQ(families[0].samples[0].labels, (std::vector<std::pair<std::string, std::string>>{{"cert", "identity-ca"}}));
  EXPECT_NEAR(families[0].samples[0].value, 1000, 1);
  EXPECT_EQ(families[1].name, "phoenix_certificate_not_after_timestamp_seconds");
}

TEST_F(VmRoutesTest, DriverErrorsMapToGatewayStatuses) {
  service_->fail_with(make_error("driver_failed", "tart crashed"));
  const auto failed = call(Verb::get, "/vms");
  EXPECT_EQ(failed.result(), Status::bad_gateway);
  EXPECT_EQ(json(failed)["error"]["message"], "tart crashed");
  service_->fail_with(make_error("driver_timeout", "tart list took too long"));
  EXPECT_EQ(call(Verb::get, "/vms/alpha").result(), Status::gateway_timeout);
}

TEST(ErrorStatus, MapsEveryKnownCode) {
  const std::vector<std::pair<std::string, Status>> table = {
      {"invalid_name", Status::bad_request},   {"bad_query", Status::bad_request},
      {"vm_not_found", Status::not_found},     {"already_running", Status::conflict},
      {"not_running", Status::conflict},       {"driver_failed", Status::bad_gateway},
      {"driver_timeout", Status::gateway_timeout}, {"something_new", Status::internal_server_error}};
  for (const auto& [code, status] : table) EXPECT_EQ(status_for(make_error(code, "m")), status) << code;
  const auto res = error_to_response(make_error("vm_not_found", "no such VM"));
  EXPECT_EQ(res.result(), Status::not_found);
  EXPECT_EQ(res[http::beast_http::field::content_type], "application/json");
  EXPECT_EQ(nlohmann::json::parse(res.body())["error"]["code"], "vm_not_found");
}

}  // namespace
}  // namespace phoenix::hub::api
