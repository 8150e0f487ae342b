#pragma once
// Every answer the hub's HTTP API gives is JSON, errors included:
// {"error":{"code":"vm_not_found","message":"…"}}.
#include "hub/http/http_types.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace phoenix::hub::http {

Response json_response(Status status, const nlohmann::json& body);
Response error_response(Status status, const std::string& code, const std::string& message);

}  // namespace phoenix::hub::http
