#pragma once
// The agent's half of a docker-tls rotation (hub command `rotate_docker_tls`): fresh server
// and client keys made here (they never leave the VM), CSRs the hub's docker CA signs over
// the channel, then the same verify-or-rollback apply as `phoenix-agent docker apply`.
// Each rotation id is done at most once: its outcome is kept in
// `<state>/rotations/<id>.json`, so a hub that repeats the command (after a reconnect or a
// restart) gets the recorded answer instead of a second restart of dockerd.
#include "agent/apply/apply_executor.hpp"
#include "agent/channel/agent_config.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace phoenix::agent {

// Rotation ids come from the hub but name a file here: [A-Za-z0-9._-]{1,64}, not "."/"..".
bool valid_rotation_id(std::string_view id);

// The apply settings of a rotation, from the agent's config. Error "no_restart_command"
// under --root without docker.restart_commands (never restart the host's dockerd by default).
Result<apply::ApplySettings> rotation_apply_settings(const AgentConfig& config);

struct RotationRequests {
  std::string server_key_pem, server_csr_pem;  // CN vm; DNS vm, localhost; IP 127.0.0.1, ::1, local_ip
  std::string client_key_pem, client_csr_pem;  // CN vm, no SANs
};
// `local_ip`: the address the channel to the hub leaves from (the VM's address the hub
// sees, and so the one it allows in the server cert); may be empty.
Result<RotationRequests> make_rotation_requests(const std::string& vm, const std::string& local_ip);

struct RotationOutcome {
  bool succeeded = false;
  std::string old_serial;   // dockerd's server serial before ("" on a first setup)
  std::string new_serial;   // the serial dockerd serves now when succeeded
  std::string not_after;    // of the new server cert (ISO-8601 UTC)
  std::string error_code;   // when not succeeded
  std::string error_message;

  nlohmann::json to_json() const;
  static std::optional<RotationOutcome> from_json(const nlohmann::json& j);
  // The `result` body (succeeded) sent to the hub.
  nlohmann::json result_body(const std::string& rotation_id) const;
};

// Validates the signed material and applies it exactly like `docker apply`: converge any
// unfinished apply, take the apply lock, stage, swap, restart, verify, roll back on
// failure. Blocking (dockerd restarts take seconds): run it off the channel's thread.
RotationOutcome apply_rotated_material(const apply::ApplySettings& settings, const apply::CertFiles& files);

// The recorded outcomes, one file per rotation id, written atomically (0600).
class RotationOutcomes {
 public:
  RotationOutcomes(fs::FileSystem& fs, std::string state_dir);
  std::optional<RotationOutcome> find(const std::string& rotation_id) const;
  Result<void> save(const std::string& rotation_id, const RotationOutcome& outcome);

 private:
  std::string path(const std::string& rotation_id) const;
  fs::FileSystem& fs_;
  std::string dir_;
};

}  // namespace phoenix::agent
