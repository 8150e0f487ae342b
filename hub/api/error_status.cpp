#include "hub/api/error_status.hpp"

#include "hub/http/json_response.hpp"

#include <string_view>

namespace phoenix::hub::api {

http::Status status_for(const Error& error) {
  using http::Status;
  const std::string_view code = error.code;
  if (code == "invalid_name" || code == "bad_query" || code == "invalid_request" ||
      code == "invalid_ttl") {
    return Status::bad_request;
  }
  if (code == "vm_not_found" || code == "agent_not_found" || code == "rotation_not_found") return Status::not_found;
  if (code == "kind_not_supported") return Status::not_implemented;
  if (code == "no_targets" || code == "rotation_exists" || code == "rotation_in_progress" ||
      code == "cannot_roll_back") {
    return Status::conflict;
  }
  if (code == "hub_url_unset") return Status::conflict;
  if (code == "already_running" || code == "not_running") return Status::conflict;
  if (code == "driver_failed") return Status::bad_gateway;
  if (code == "driver_timeout") return Status::gateway_timeout;
  if (code == "driver_unavailable") return Status::service_unavailable;
  return Status::internal_server_error;
}

http::Response error_to_response(const Error& error) {
  return http::error_response(status_for(error), error.code.empty() ? "internal_error" : error.code,
                              error.message);
}

}  // namespace phoenix::hub::api
