#include "agent/doctor/doctor_render.hpp"

#include <nlohmann/json.hpp>

namespace phoenix::agent::doctor {

std::string render_human(const DoctorReport& report) {
  std::string text;
  for (const auto& action : report.actions_done) text += "DONE " + action + "\n";
  for (const auto& c : report.checks) {
    std::string status(to_string(c.status));
    status.resize(5, ' ');
    text += status + c.id + ": " + c.summary + "\n";
    if (!c.action.empty() && c.status != CheckStatus::ok) text += "     -> " + c.action + "\n";
  }
  int fails = 0;
  int warns = 0;
  for (const auto& c : report.checks) {
    fails += c.status == CheckStatus::fail ? 1 : 0;
    warns += c.status == CheckStatus::warn ? 1 : 0;
  }
  if (fails == 0) {
    text += "all checks passed" + (warns == 0 ? std::string() : " (" + std::to_string(warns) + " warning(s))") + "\n";
  } else {
    text += std::to_string(fails) + " check(s) failed, " + std::to_string(warns) + " warning(s)\n";
  }
  return text;
}

std::string render_json(const DoctorReport& report) {
  nlohmann::ordered_json doc;
  doc["ok"] = report.all_ok();
  doc["exit_code"] = report.exit_code();
  doc["checks"] = nlohmann::ordered_json::array();
  for (const auto& c : report.checks) {
    doc["checks"].push_back(
        {{"id", c.id}, {"status", std::string(to_string(c.status))}, {"summary", c.summary}, {"action", c.action}});
  }
  doc["docker_host_findings"] = nlohmann::ordered_json::array();
  for (const auto& f : report.docker_host_findings) {
    doc["docker_host_findings"].push_back({{"file", f.file},
                                           {"line", f.line_number},
                                           {"line_text", docker::shown_text(f.line_text)},
                                           {"value", f.value},
                                           {"source", std::string(docker::to_string(f.source_kind))},
                                           {"reason", f.reason}});
  }
  doc["actions"] = report.actions_done;
  // Replace invalid UTF-8 (a file's raw line) instead of throwing.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace phoenix::agent::doctor
