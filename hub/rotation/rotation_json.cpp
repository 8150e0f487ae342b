#include "hub/rotation/rotation_json.hpp"

#include "hub/rotation/ca_rotation_plan.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/pki/asn1_time.hpp"

#include <map>

namespace phoenix::hub {
namespace {
using nlohmann::json;

json time_or_null(const std::optional<RecordTime>& t) {
  if (!t) return nullptr;
  return pki::format_utc(*t);
}

std::string phase_name(const RotationRecord& r) {
  const auto phases = ca_plan(r.plan);
  if (r.phase < 0 || static_cast<std::size_t>(r.phase) >= phases.size()) return "";
  return std::string(phases[static_cast<std::size_t>(r.phase)].name);
}

Result<int> small_int(const json& body, const char* key, int fallback) {
  const auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (!it->is_number_integer()) return make_error("invalid_request", std::string(key) + " must be a whole number");
  const auto value = it->get<std::int64_t>();
  if (value < 0 || value > 1'000'000) return make_error("invalid_request", std::string(key) + " is out of range");
  return static_cast<int>(value);
}
}  // namespace

Result<RotationRequest> parse_rotation_request(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return make_error("invalid_request", "the body must be a JSON object such as {\"kind\":\"docker-tls\"}");
  }
  for (const auto& [key, value] : parsed.items()) {
    if (key != "kind" && key != "vms" && key != "max_parallel" && key != "max_failures") {
      return make_error("invalid_request",
                        "unknown key \"" + key + "\": allowed are kind, vms, max_parallel, max_failures");
    }
  }
  RotationRequest request;
  const auto kind = parsed.find("kind");
  if (kind == parsed.end() || !kind->is_string()) {
    return make_error("invalid_request", "kind is required: docker-tls, docker-ca or identity");
  }
  request.kind = kind->get<std::string>();
  if (const auto vms = parsed.find("vms"); vms != parsed.end()) {
    if (!vms->is_array()) return make_error("invalid_request", "vms must be an array of VM names");
    for (const auto& vm : *vms) {
      if (!vm.is_string()) return make_error("invalid_request", "vms must be an array of VM names");
      if (auto checked = validate_vm_name(vm.get<std::string>()); !checked) return checked.error();
      request.vms.push_back(vm.get<std::string>());
    }
    if (request.vms.empty()) return make_error("invalid_request", "vms is empty: omit it to rotate every VM");
  }
  auto parallel = small_int(parsed, "max_parallel", 1);
  if (!parallel) return parallel.error();
  if (*parallel < 1) return make_error("invalid_request", "max_parallel must be at least 1");
  auto failures = small_int(parsed, "max_failures", 0);
  if (!failures) return failures.error();
  request.max_parallel = *parallel;
  request.max_failures = *failures;
  return request;
}

json rotation_to_json(const RotationRecord& rotation) {
  std::map<std::string, int> counts{{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}, {"skipped", 0}};
  json targets = json::array();
  for (const auto& t : rotation.targets) {
    ++counts[std::string(to_string(t.state))];
    json duration = nullptr;
    if (t.started_at && t.finished_at) {
      duration = std::chrono::duration_cast<std::chrono::seconds>(*t.finished_at - *t.started_at).count();
    }
    targets.push_back({{"vm", t.vm},
                       {"state", to_string(t.state)},
                       {"started_at", time_or_null(t.started_at)},
                       {"finished_at", time_or_null(t.finished_at)},
                       {"duration_s", duration},
                       {"old_serial", t.old_serial.empty() ? json(nullptr) : json(t.old_serial)},
                       {"new_serial", t.new_serial.empty() ? json(nullptr) : json(t.new_serial)},
                       {"error", t.error.empty() ? json(nullptr) : json(t.error)}});
  }
  return {{"id", rotation.id},
          {"kind", rotation.kind},
          {"state", to_string(rotation.outcome)},
          {"reason", rotation.reason.empty() ? json(nullptr) : json(rotation.reason)},
          {"max_parallel", rotation.max_parallel},
          {"max_failures", rotation.max_failures},
          {"created_at", pki::format_utc(rotation.created_at)},
          {"finished_at", time_or_null(rotation.finished_at)},
          {"counts", counts},
          {"phase", rotation.plan.empty() ? json(nullptr)
                                          : json{{"plan", rotation.plan},
                                                 {"index", rotation.phase},
                                                 {"name", phase_name(rotation)},
                                                 {"old_ca", rotation.old_ca},
                                                 {"new_ca", rotation.new_ca},
                                                 {"can_roll_back", can_roll_back(rotation.plan, rotation.phase)}}},
          {"targets", targets}};
}

}  // namespace phoenix::hub
