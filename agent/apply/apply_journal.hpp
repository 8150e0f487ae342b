#pragma once
// The crash-safe record of one `docker apply`: which step last completed, which TLS sets are
// old and new, which live paths were backed up and where, and why it failed if it did. It is
// rewritten atomically (write_file_atomic, 0600) after every step, so a crash at any point
// leaves either the previous or the next record, and the next run converges from it.
#include "agent/apply/apply_machine.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::agent::apply {

// One live path (file or directory tree) saved before the swap. `existed == false` means
// the rollback must remove whatever the apply created there.
struct BackupEntry {
  std::string path;
  std::string backup;  // copy under the state dir; empty when !existed
  bool existed = false;
  friend bool operator==(const BackupEntry&, const BackupEntry&) = default;
};

// What the interrupted apply was told on its command line, so that a later converge
// (`phoenix-agent run` at start, which has no such flags) restarts and verifies dockerd the
// same way instead of guessing.
struct RecordedSettings {
  std::string root;                                        // --root ("" = the real system)
  std::vector<std::vector<std::string>> restart_commands;  // argv each, run in order
  std::string listen;
  std::string docker_socket;
  std::int64_t verify_timeout_ms = 30'000;
  friend bool operator==(const RecordedSettings&, const RecordedSettings&) = default;
};

struct ApplyJournal {
  Step step = Step::begun;
  std::optional<Failure> failure;
  std::string new_set;                 // id under /etc/docker/tls/sets/
  std::optional<std::string> old_set;  // id `current` pointed at before; none on first setup
  std::string new_serial;              // hex serial the new server cert carries
  std::optional<std::string> old_serial;
  std::vector<BackupEntry> backups;
  std::vector<std::string> users;      // whose `phoenix` context this apply writes
  std::string verify_host = "127.0.0.1";
  std::uint16_t verify_port = 2376;
  std::string started_at;              // ISO-8601 UTC, for people reading the file
  std::optional<RecordedSettings> settings;  // nullopt: written without them (cannot converge alone)
  friend bool operator==(const ApplyJournal&, const ApplyJournal&) = default;
};

std::string encode_journal(const ApplyJournal& journal);
// Errors: "journal_invalid" (not JSON, missing fields, unknown step, wrong version).
Result<ApplyJournal> decode_journal(std::string_view text);

// Where the journal lives and how it is read and written.
class JournalStore {
 public:
  JournalStore(fs::FileSystem& fs, std::string state_dir);

  const std::string& path() const { return path_; }
  const std::string& state_dir() const { return state_dir_; }
  // nullopt when there is no journal (the normal case).
  Result<std::optional<ApplyJournal>> load() const;
  Result<void> save(const ApplyJournal& journal);
  Result<void> remove();

 private:
  fs::FileSystem& fs_;
  std::string state_dir_;
  std::string path_;
};

}  // namespace phoenix::agent::apply
