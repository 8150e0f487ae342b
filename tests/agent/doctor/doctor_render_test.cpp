#include "agent/doctor/doctor_render.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace phoenix::agent::doctor {
namespace {

DoctorReport sample() {
  DoctorReport report;
  report.checks.push_back(CheckResult{"dockerd", CheckStatus::ok, "dockerd answers", "ignored when OK"});
  report.checks.push_back(CheckResult{"cert_expiry:ca", CheckStatus::warn, "ca expires soon", "rotate soon"});
  report.checks.push_back(CheckResult{"docker_host", CheckStatus::fail, "/etc/environment:2: DOCKER_HOST=tcp://x:2376",
                                      "because"});
  docker::DriftFinding f;
  f.file = "/etc/environment";
  f.line_number = 2;
  f.line_text = "DOCKER_HOST=tcp://x:2376\xff";  // raw bytes from a file must not break JSON
  f.value = "tcp://x:2376";
  f.source_kind = docker::DriftSource::etc_environment;
  f.reason = "because";
  report.docker_host_findings.push_back(f);
  report.actions_done.push_back("disabled /etc/environment:2");
  return report;
}

TEST(DoctorRender, HumanHasOneLinePerCheckAndWhatToDo) {
  const auto text = render_human(sample());
  EXPECT_NE(text.find("OK   dockerd: dockerd answers\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("ignored when OK"), std::string::npos);
  EXPECT_NE(text.find("WARN cert_expiry:ca: ca expires soon\n     -> rotate soon\n"), std::string::npos);
  EXPECT_NE(text.find("FAIL docker_host: /etc/environment:2: DOCKER_HOST=tcp://x:2376\n     -> because\n"),
            std::string::npos);
  EXPECT_NE(text.find("DONE disabled /etc/environment:2"), std::string::npos);
  EXPECT_NE(text.find("1 check(s) failed, 1 warning(s)"), std::string::npos);
}

TEST(DoctorRender, HumanSaysAllPassed) {
  DoctorReport report;
  report.checks.push_back(CheckResult{"dockerd", CheckStatus::ok, "fine", ""});
  EXPECT_NE(render_human(report).find("all checks passed"), std::string::npos);
}

TEST(DoctorRender, JsonIsOneDocument) {
  const auto text = render_json(sample());
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << text;
  EXPECT_EQ(doc["ok"], false);
  EXPECT_EQ(doc["exit_code"], 1);
  ASSERT_EQ(doc["checks"].size(), 3u);
  EXPECT_EQ(doc["checks"][1]["status"], "WARN");
  EXPECT_EQ(doc["checks"][2]["id"], "docker_host");
  ASSERT_EQ(doc["docker_host_findings"].size(), 1u);
  EXPECT_EQ(doc["docker_host_findings"][0]["file"], "/etc/environment");
  EXPECT_EQ(doc["docker_host_findings"][0]["line"], 2);
  EXPECT_EQ(doc["docker_host_findings"][0]["source"], "etc_environment");
  EXPECT_EQ(doc["actions"][0], "disabled /etc/environment:2");
}

}  // namespace
}  // namespace phoenix::agent::doctor
