#pragma once
// The file-system operations Phoenix performs, behind an interface so that decisions
// (daemon.json merge, context layout, journals) are tested against FakeFileSystem with
// no disk, and RealFileSystem is the one thin layer that touches the machine.
#include "shared/core/error.hpp"

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::fs {

struct WriteOptions {
  mode_t mode = 0644;                 // applied before the first byte is written
  std::optional<uid_t> owner_uid;     // chown'ed before the rename, if set
  std::optional<gid_t> owner_gid;
};

struct FileInfo {
  mode_t mode = 0;  // permission bits only
  uid_t uid = 0;
  gid_t gid = 0;
  bool is_directory = false;
  off_t size = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Whole file; code "not_found" when it does not exist, "io_error" otherwise.
  virtual Result<std::string> read_file(const std::string& path) const = 0;
  // The same, but Error "too_big" instead of more than `max_bytes` (never reads past it).
  virtual Result<std::string> read_file_at_most(const std::string& path, std::size_t max_bytes) const = 0;

  // Atomic replace: temp file in the same directory (mode set before writing), write,
  // fsync, rename over `path`, fsync the directory. Readers see the old or the new
  // content, never a mix; a crash leaves at most a stray temp file.
  virtual Result<void> write_file_atomic(const std::string& path, std::string_view content,
                                         const WriteOptions& options = {}) = 0;

  virtual bool exists(const std::string& path) const = 0;
  virtual Result<FileInfo> stat(const std::string& path) const = 0;

  // mkdir -p; newly made directories get `mode`, existing ones are left as they are.
  virtual Result<void> create_directories(const std::string& path, mode_t mode = 0755) = 0;

  // Names (not paths) in a directory, sorted; empty when the directory does not exist.
  virtual Result<std::vector<std::string>> list_directory(const std::string& path) const = 0;

  // Atomic rename within one file system, then fsync of the target's directory.
  virtual Result<void> rename(const std::string& from, const std::string& to) = 0;

  // Removes a file or an empty directory; success if it is already gone.
  virtual Result<void> remove(const std::string& path) = 0;

  virtual Result<void> set_mode(const std::string& path, mode_t mode) = 0;
  virtual Result<void> set_owner(const std::string& path, uid_t uid, gid_t gid) = 0;

  // Points `link_path` at `target` atomically (temp symlink + rename), replacing any
  // existing link: the way to swap a whole directory of files in one step.
  virtual Result<void> symlink_atomic(const std::string& target, const std::string& link_path) = 0;
  // The target text of a symlink; code "not_found" if absent, "io_error" if not a link.
  virtual Result<std::string> read_symlink(const std::string& path) const = 0;
  // rm -r; success if already gone. Refuses "" and "/".
  virtual Result<void> remove_tree(const std::string& path) = 0;

  // From now on every path strictly below `home` belongs to that user and is reached the
  // way UserTree (user_tree.hpp) does: no link followed, only the user's own regular
  // files and directories, reads capped at kUserFileLimit, writes given to the user.
  // Const because it changes how paths are reached, not what any file holds: it is
  // called where users are resolved, which only reads.
  virtual void confine_user_tree(const std::string& home, uid_t uid, gid_t gid) const = 0;
};

// The most read_file returns of one file in a confined user tree; config.json is the
// largest file Phoenix reads there, and the docker CLI's own files stay far below this.
inline constexpr std::size_t kUserFileLimit = 1024 * 1024;

// Joins a root prefix and an absolute system path: prefixed("/tmp/r", "/etc/docker")
// == "/tmp/r/etc/docker". An empty root returns the path unchanged.
std::string prefixed(const std::string& root, const std::string& absolute_path);

// Directory part of a path ("/a/b/c" -> "/a/b", "c" -> ".").
std::string parent_path(const std::string& path);

}  // namespace phoenix::fs
