#pragma once
// Backing up the live paths an apply changes (daemon.json, the systemd drop-in, each user's
// docker config and phoenix context) into the state dir before the swap, and putting them
// back on rollback. A path that did not exist is recorded as such, so rollback removes what
// the apply created. Restoring is idempotent: a crash while restoring is repaired by
// restoring again.
#include "agent/apply/apply_journal.hpp"
#include "shared/fs/file_system.hpp"

#include <string>
#include <vector>

namespace phoenix::agent::apply {

// Copies a file or a directory tree, keeping modes and owners; files written atomically.
Result<void> copy_path(fs::FileSystem& fs, const std::string& from, const std::string& to);

// Copies each of `paths` to backup_dir/<index> (the dir is emptied first).
Result<std::vector<BackupEntry>> back_up(fs::FileSystem& fs, const std::vector<std::string>& paths,
                                         const std::string& backup_dir);

// Puts every entry back: files are replaced atomically, trees removed and copied back,
// paths that did not exist are removed.
Result<void> restore(fs::FileSystem& fs, const std::vector<BackupEntry>& entries);

}  // namespace phoenix::agent::apply
