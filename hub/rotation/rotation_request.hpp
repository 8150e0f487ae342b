#pragma once
// What a rotation request becomes: the checks against the fleet and the stored record.
#include "hub/agents/docker_trust.hpp"
#include "hub/store/hub_store.hpp"

#include <string>
#include <vector>

namespace phoenix::hub {

struct RotationRequest {
  std::string kind = "docker-tls";
  std::vector<std::string> vms;  // empty: every enrolled, unrevoked agent
  int max_parallel = 1;
  int max_failures = 0;
};

// Checks a request against the fleet (blocking: reads the store). `trust` is needed for
// docker-ca (it names the CA rotated from). Errors: "invalid_request", "agent_not_found",
// "no_targets", "rotation_in_progress" (a docker-ca rotation is under way).
Result<RotationRecord> make_rotation_record(const RotationRequest& request, HubStore& store, const DockerTrust* trust,
                                            std::string id, StoreTime now);

// "rot-<unix seconds>-<8 random hex>".
std::string new_rotation_id(StoreTime now);

}  // namespace phoenix::hub
