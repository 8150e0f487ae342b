#pragma once
// The descriptor walk under UserTree (user_tree.hpp): open each directory level with
// openat(O_NOFOLLOW) from the level above, check what each entry is and who owns it,
// and word a refusal so that the user knows what to do. Its descriptor helpers (Fd,
// errno_error, write_all, read_all) serve RealFileSystem too.
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phoenix::fs::tree {

// Closes a descriptor on every path out of a function.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

struct Owner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// What a non-regular, non-directory entry is, in words ("a symbolic link", "a FIFO").
std::string kind_of(mode_t mode);

// Error "unsafe_path" for `path`, which is `what` ("a symbolic link", "owned by uid 0").
Error refusal(const std::string& path, const std::string& what, const std::string& fix);

// Error from errno for `path` ("not_found" for ENOENT, else "io_error").
Error errno_error(const std::string& what, const std::string& path, int err);

// Whether `st` may be used in a tree owned by `owner`: entries must belong to the user;
// an agent that is not root may also use its own (it gains nothing from them).
bool owned_ok(const struct ::stat& st, const Owner& owner);

// Checks the entry `name` in `dir` without following it: Error if it is a link, not of the
// `want_dir` kind, or not owned by the user; "not_found" when absent. Fills `st`.
Result<void> check_entry(int dir, const std::string& name, const std::string& shown, bool want_dir,
                         const Owner& owner, struct ::stat& st);

// The FileInfo of `st` (permission bits only in mode).
FileInfo info_of(const struct ::stat& st);

// Writes all of `content` to `fd`, retrying EINTR: 0, or the errno of the write that failed.
int write_all(int fd, std::string_view content);

// Reads `fd` to its end, retrying EINTR. Error "too_big" (naming `path`) once more than
// `max_bytes` arrived; errno_error otherwise.
Result<std::string> read_all(int fd, const std::string& path, std::size_t max_bytes);

// Opens `home`, then each of `levels` below it as a directory, never following a link.
// With `create_mode` set, missing levels are made (that mode, the tree's owner).
Result<Fd> open_levels(const std::string& home, const std::vector<std::string>& levels, const Owner& owner,
                       const mode_t* create_mode);

// home + "/" + the first `count` levels: the path shown in messages.
std::string shown_path(const std::string& home, const std::vector<std::string>& levels, std::size_t count);

}  // namespace phoenix::fs::tree
