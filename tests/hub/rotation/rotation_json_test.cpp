#include "hub/rotation/rotation_json.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

TEST(RotationJson, ParsesARequestWithDefaults) {
  const auto all = parse_rotation_request(R"({"kind":"docker-tls"})");
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(all->kind, "docker-tls");
  EXPECT_TRUE(all->vms.empty());
  EXPECT_EQ(all->max_parallel, 1);
  EXPECT_EQ(all->max_failures, 0);
  const auto some = parse_rotation_request(R"({"kind":"docker-tls","vms":["vm2","vm1"],"max_parallel":2,"max_failures":1})");
  ASSERT_TRUE(some);
  EXPECT_EQ(some->vms, (std::vector<std::string>{"vm2", "vm1"}));
  EXPECT_EQ(some->max_parallel, 2);
  EXPECT_EQ(some->max_failures, 1);
}

TEST(RotationJson, RefusesBadRequestsNamingWhatIsWrong) {
  const struct {
    const char* body;
    const char* code;
    const char* says;
  } cases[] = {
      {"[]", "invalid_request", "JSON object"},
      {"{", "invalid_request", "JSON object"},
      {R"({})", "invalid_request", "kind is required"},
      {R"({"kind":1})", "invalid_request", "kind is required"},
      {R"({"kind":"docker-tls","parallel":2})", "invalid_request", "unknown key \"parallel\""},
      {R"({"kind":"docker-tls","vms":"vm1"})", "invalid_request", "array"},
      {R"({"kind":"docker-tls","vms":[]})", "invalid_request", "omit it"},
      {R"({"kind":"docker-tls","vms":["../x"]})", "invalid_name", ""},
      {R"({"kind":"docker-tls","max_parallel":0})", "invalid_request", "at least 1"},
      {R"({"kind":"docker-tls","max_parallel":1.5})", "invalid_request", "whole number"},
      {R"({"kind":"docker-tls","max_failures":-1})", "invalid_request", "out of range"},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_rotation_request(c.body);
    ASSERT_FALSE(parsed) << c.body;
    EXPECT_EQ(parsed.error().code, c.code) << c.body << ": " << parsed.error().to_string();
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos) << c.body << ": " << parsed.error().message;
  }
}

TEST(RotationJson, ShowsStateTimingsSerialsAndCounts) {
  const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  RotationRecord r;
  r.id = "rot-1";
  r.kind = "docker-tls";
  r.outcome = RolloutOutcome::halted;
  r.reason = "1 failed";
  r.created_at = t0;
  r.finished_at = t0 + 30s;
  r.targets = {
      {.vm = "vm1", .state = TargetState::done, .started_at = t0, .finished_at = t0 + 7s, .old_serial = "0A", .new_serial = "0B"},
      {.vm = "vm2", .state = TargetState::failed, .started_at = t0 + 8s, .finished_at = t0 + 9s, .error = "restart_failed: x"},
      {.vm = "vm3"},
  };
  const auto j = rotation_to_json(r);
  EXPECT_EQ(j["state"], "halted");
  EXPECT_EQ(j["reason"], "1 failed");
  EXPECT_EQ(j["created_at"], "2027-01-15T08:00:00Z");
  EXPECT_EQ(j["counts"]["done"], 1);
  EXPECT_EQ(j["counts"]["failed"], 1);
  EXPECT_EQ(j["counts"]["pending"], 1);
  EXPECT_EQ(j["targets"][0]["duration_s"], 7);
  EXPECT_EQ(j["targets"][0]["new_serial"], "0B");
  EXPECT_EQ(j["targets"][1]["error"], "restart_failed: x");
  EXPECT_TRUE(j["targets"][2]["started_at"].is_null());
  EXPECT_TRUE(j["targets"][2]["old_serial"].is_null());
}

}  // namespace
}  // namespace phoenix::hub
