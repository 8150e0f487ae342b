#pragma once
// Two renderings of a DoctorReport: lines for a person, one JSON document for tools.
#include "agent/doctor/doctor_report.hpp"

#include <string>

namespace phoenix::agent::doctor {

// One line per check ("OK   dockerd  ..."), then an indented "-> what to do" line when
// there is something to do, and a last line with the verdict.
std::string render_human(const DoctorReport& report);

// {"ok":…, "exit_code":…, "checks":[{"id","status","summary","action"}],
//  "docker_host_findings":[{"file","line","line_text","value","source","reason"}],
//  "actions":[…]} followed by a newline.
std::string render_json(const DoctorReport& report);

}  // namespace phoenix::agent::doctor
