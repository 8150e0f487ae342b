#pragma once
// Which docker certificates one agent connection may have signed right now. The hub signs a
// dockerd server cert only inside a rotation it started itself: once per `rotate_docker_tls`
// command it sent on this connection and that is still open (not answered, not timed out).
// It never signs docker client certs for agents: a VM makes its own with a one-use CA, so a
// VM's client cert opens no other VM's dockerd (docs/trust-model.md). Pure; one per session,
// used on the session's strand.
#include "shared/core/error.hpp"

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

namespace phoenix::hub {

class DockerSignGate {
 public:
  void rotation_opened(const std::string& command_id);
  void rotation_closed(const std::string& command_id);

  // ok() consumes one signature of an open rotation. Errors: "client_certs_made_in_vm"
  // (kind docker_client), "not_in_rotation" (no open rotation command), "already_signed"
  // (every open rotation has had its server cert), "unsupported_kind".
  Result<void> admit(std::string_view kind);

  std::size_t open_rotations() const noexcept { return open_.size(); }

 private:
  std::set<std::string> open_;
  std::size_t signed_ = 0;
};

}  // namespace phoenix::hub
