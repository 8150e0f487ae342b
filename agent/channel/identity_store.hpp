#pragma once
// The agent's identity on disk (docs/agent-protocol.md "Files"):
//   <state>/identity/{key.pem 0600, cert.pem, ca.pem, docker-ca.pem}, <state>/hub.json
// A new identity (enrollment, renewal) is never written over the current one file by
// file: it is staged complete in identity.new/, then
//   rename identity -> identity.old, rename identity.new -> identity, remove identity.old.
// Each rename is atomic, so a crash leaves one of a few states, and repair() (run at
// start-up, before anything reads the identity) finishes or undoes the swap:
//   identity complete            -> keep it; drop leftover identity.new / identity.old
//   identity missing, .new complete -> finish the swap
//   identity missing, .old complete -> restore the old identity
// "Complete" means all four files are present: they are written in a fixed order, each
// atomically, docker-ca.pem last, so its presence proves the others were written.
#include "agent/channel/hub_file.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <string>

namespace phoenix::agent {

inline constexpr const char* kDefaultAgentStateDir = "/var/lib/phoenix-agent";

struct IdentityPaths {
  std::string state_dir;
  std::string identity_dir;  // <state>/identity
  std::string new_dir;       // <state>/identity.new
  std::string old_dir;       // <state>/identity.old
  std::string hub_json;      // <state>/hub.json
  // File names inside an identity directory.
  static constexpr const char* kKey = "key.pem";
  static constexpr const char* kCert = "cert.pem";
  static constexpr const char* kCa = "ca.pem";
  static constexpr const char* kDockerCa = "docker-ca.pem";
};

IdentityPaths identity_paths(const std::string& state_dir);

struct IdentityFiles {
  std::string key_pem;
  std::string cert_pem;
  std::string ca_pem;
  std::string docker_ca_pem;
};

enum class RepairOutcome {
  nothing_to_do,   // no identity at all, or a complete one with no leftovers
  removed_leftovers,
  finished_swap,   // identity.new became identity
  restored_old,    // identity.old became identity again
};
const char* to_string(RepairOutcome outcome);

class IdentityStore {
 public:
  IdentityStore(fs::FileSystem& fs, std::string state_dir);

  const IdentityPaths& paths() const { return paths_; }

  // Finishes or undoes a half-done swap (see the file comment). Idempotent.
  Result<RepairOutcome> repair();

  // Whether a complete identity and hub.json are present.
  bool enrolled() const;

  // Error "not_enrolled" (says to run `phoenix-agent enroll`) when identity files or
  // hub.json are missing; "io_error"/"hub_file_invalid" otherwise.
  Result<IdentityFiles> load_identity() const;
  Result<HubFile> load_hub() const;

  // Stages `files` in identity.new and swaps them in (state dir 0700, identity dirs 0700,
  // key 0600). Used by enrollment (then hub.json is written too) and renewal.
  Result<void> install(const IdentityFiles& files);
  Result<void> write_hub(const HubFile& hub);

 private:
  bool complete(const std::string& dir) const;

  fs::FileSystem& fs_;
  IdentityPaths paths_;
};

}  // namespace phoenix::agent
