#include "hub/rotation/rotation_request.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace phoenix::hub {

std::string new_rotation_id(StoreTime now) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random() & 0xffffffffu));
  return "rot-" + std::to_string(to_unix_seconds(now)) + "-" + suffix;
}

Result<RotationRecord> make_rotation_record(const RotationRequest& request, HubStore& store, const DockerTrust* trust,
                                            std::string id, StoreTime now) {
  if (request.kind != "docker-tls" && request.kind != "docker-ca" && request.kind != "identity") {
    return make_error("invalid_request", "kind must be docker-tls, docker-ca or identity");
  }
  if (request.max_parallel < 1 || request.max_parallel > 1000) {
    return make_error("invalid_request", "max_parallel must be 1..1000");
  }
  if (request.max_failures < 0 || request.max_failures > 100000) {
    return make_error("invalid_request", "max_failures must be 0 or more");
  }
  auto agents = store.list_agents();
  if (!agents) return agents.error();
  std::vector<std::string> vms;
  if (request.vms.empty()) {
    for (const auto& agent : *agents) {
      if (!agent.revoked) vms.push_back(agent.name);
    }
  } else {
    for (const auto& vm : request.vms) {
      const auto found = std::find_if(agents->begin(), agents->end(), [&](const AgentRecord& a) { return a.name == vm; });
      if (found == agents->end() || found->revoked) {
        return make_error("agent_not_found", "\"" + vm + "\" has no enrolled agent (see GET /agents)");
      }
      if (std::find(vms.begin(), vms.end(), vm) != vms.end()) {
        return make_error("invalid_request", "\"" + vm + "\" is listed twice in vms");
      }
      vms.push_back(vm);
    }
  }
  if (vms.empty()) return make_error("no_targets", "no enrolled agent to rotate: enroll VMs first");
  RotationRecord record;
  record.id = std::move(id);
  record.kind = request.kind;
  record.max_parallel = request.max_parallel;
  record.max_failures = request.max_failures;
  record.created_at = now;
  if (record.kind == "docker-ca") {
    if (!trust) return make_error("not_initialized", "the hub's docker CA is not available");
    const auto state = trust->state();
    auto unfinished = store.unfinished_rotations();
    if (!unfinished) return unfinished.error();
    for (const auto& other : *unfinished) {
      auto loaded = store.get_rotation(other);
      if (loaded && *loaded && (*loaded)->kind == "docker-ca") {
        return make_error("rotation_in_progress", "docker-ca rotation " + other +
                                                      " is not finished: let it complete or roll it back first");
      }
    }
    if (state.trusted.size() != 1 || state.trusted.front() != state.signing) {
      return make_error("rotation_in_progress", "the docker trust is mid-change (a CA rotation was interrupted): "
                                                "roll that rotation back or finish it first");
    }
    record.plan = "forward";
    record.phase = 0;
    record.old_ca = state.signing;
    record.new_ca = "docker-ca-" + std::to_string(to_unix_seconds(now));
  }
  for (auto& vm : vms) record.targets.push_back(RotationTargetRecord{.vm = std::move(vm)});
  return record;
}

}  // namespace phoenix::hub
