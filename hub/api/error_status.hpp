#pragma once
// The HTTP status for each VmService / API error code (vm_service.hpp lists the codes).
#include "hub/http/http_types.hpp"
#include "shared/core/error.hpp"

namespace phoenix::hub::api {

// Unknown codes are 500: a code the API forgot to map is the hub's fault, not the client's.
http::Status status_for(const Error& error);

// The JSON error response for `error`, with its mapped status.
http::Response error_to_response(const Error& error);

}  // namespace phoenix::hub::api
