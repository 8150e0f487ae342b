#pragma once
// The doctor's judgement: one check per concern with OK / WARN / FAIL (or SKIP when a
// check could not run because an earlier one failed), what was seen, and what to do.
// Pure: built from DoctorInputs, no I/O, so every verdict is unit-tested.
#include "agent/doctor/doctor_inputs.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::agent::doctor {

enum class CheckStatus { ok, skip, warn, fail };
std::string_view to_string(CheckStatus status);  // "OK", "SKIP", "WARN", "FAIL"

// Certificates closer than this to expiry are a warning.
inline constexpr std::chrono::hours kExpiryWarning{14 * 24};

struct CheckResult {
  std::string id;       // stable: "dockerd", "daemon_json", "tls_file:ca", "cert_expiry:server cert",
                        // "tls_endpoint", "context:root", "docker_host", "user_file", "users",
                        // "action"
  CheckStatus status = CheckStatus::ok;
  std::string summary;  // what was seen
  std::string action;   // what to do about it ("" when OK)
};

struct DoctorReport {
  std::vector<CheckResult> checks;
  std::vector<docker::DriftFinding> docker_host_findings;
  std::vector<std::string> actions_done;

  bool all_ok() const;     // no FAIL (warnings allowed)
  int exit_code() const;   // 0 when all_ok, else 1
};

DoctorReport build_report(const DoctorInputs& inputs);

}  // namespace phoenix::agent::doctor
