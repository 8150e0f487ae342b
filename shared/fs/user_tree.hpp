#pragma once
// A directory tree that belongs to one user (a home directory), as root must touch it.
// The agent runs as root but the tree's owner controls every name in it: a symlink,
// a FIFO or a hard link to a root-owned file could make root read a secret into the
// user's reach, overwrite a system file, or block forever. So below the home directory:
//   - no symbolic link is ever followed, at any component: each level is opened with
//     openat(O_NOFOLLOW) from the descriptor of the level above, never by path;
//   - only regular files are read and written (checked with fstatat before opening,
//     and fstat after, on a descriptor opened O_NONBLOCK so a FIFO cannot block);
//   - every file and directory must be owned by the tree's user;
//   - reads are capped; writes create a temp file in the same directory, fchown it to the
//     user, and renameat it over the name (a link at the name is replaced, not followed).
// The home directory itself comes from the passwd file (root's choice) and is trusted.
// Refusals are Error code "unsafe_path" whose message names the path, what it is, and
// what to do.
#include "shared/fs/file_system.hpp"

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::fs {

inline constexpr std::string_view kUnsafePath = "unsafe_path";

class UserTree {
 public:
  // `home`: absolute host path; `uid`/`gid`: the owner every entry below must have.
  UserTree(std::string home, uid_t uid, gid_t gid);

  const std::string& home() const { return home_; }
  uid_t uid() const { return uid_; }
  gid_t gid() const { return gid_; }

  // True for paths strictly below home (not home itself).
  bool contains(const std::string& path) const;

  // The file's bytes; "too_big" past max_bytes, "not_found", or "unsafe_path".
  Result<std::string> read(const std::string& path, std::size_t max_bytes) const;
  // Facts about the entry itself (never what a link points at); a link is "unsafe_path".
  Result<FileInfo> stat(const std::string& path) const;
  // Whether anything (even a link or a FIFO) is at `path`; a refused parent counts as
  // present, so that the caller's next access reports the refusal instead of skipping it.
  bool exists(const std::string& path) const;
  Result<std::vector<std::string>> list(const std::string& path) const;

  Result<void> write_atomic(const std::string& path, std::string_view content, const WriteOptions& options) const;
  // mkdir -p below home: new levels get `mode` and the tree's owner.
  Result<void> make_directories(const std::string& path, mode_t mode) const;
  Result<void> set_mode(const std::string& path, mode_t mode) const;
  Result<void> set_owner(const std::string& path, uid_t uid, gid_t gid) const;
  // Removes the entry itself (a link is removed, never followed); success when absent.
  Result<void> remove(const std::string& path) const;
  // rm -r without following links; never leaves the tree.
  Result<void> remove_tree(const std::string& path) const;

 private:
  Result<std::vector<std::string>> components(const std::string& path) const;

  std::string home_;
  uid_t uid_;
  gid_t gid_;
};

// A file-size cap's wording for messages ("64 KiB", "1 MiB").
std::string describe_size(std::size_t bytes);

}  // namespace phoenix::fs
