#include "hub/agents/docker_sign_gate.hpp"

#include <algorithm>

namespace phoenix::hub {

void DockerSignGate::rotation_opened(const std::string& command_id) { open_.insert(command_id); }

void DockerSignGate::rotation_closed(const std::string& command_id) {
  open_.erase(command_id);
  signed_ = std::min(signed_, open_.size());
}

Result<void> DockerSignGate::admit(std::string_view kind) {
  if (kind == "docker_client") {
    return make_error("client_certs_made_in_vm",
                      "the hub does not sign docker client certificates: the agent makes its own with a "
                      "one-use CA during a rotation; update phoenix-agent on this VM");
  }
  if (kind != "docker_server") {
    return make_error("unsupported_kind", "sign_request kind '" + std::string(kind) + "' is not a docker kind");
  }
  if (open_.empty()) {
    return make_error("not_in_rotation",
                      "docker server certificates are signed only inside a rotation the hub started "
                      "(POST /rotations); none is open for this agent");
  }
  if (signed_ >= open_.size()) {
    return make_error("already_signed", "the server certificate of this rotation was already signed");
  }
  ++signed_;
  return ok();
}

}  // namespace phoenix::hub
