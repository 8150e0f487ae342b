#pragma once
// The JSON faces of a rotation: the POST /rotations body and what GET /rotations/{id}
// answers (per-VM state, timings, old/new serial, error text, counts).
#include "hub/rotation/rollout_driver.hpp"
#include "hub/store/rotation_records.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace phoenix::hub {

// {"kind":"docker-tls","vms":[…] (optional),"max_parallel":1,"max_failures":0}; unknown keys
// and wrong types are refused ("invalid_request", naming the key); VM names are checked.
Result<RotationRequest> parse_rotation_request(const std::string& body);

nlohmann::json rotation_to_json(const RotationRecord& rotation);

}  // namespace phoenix::hub
