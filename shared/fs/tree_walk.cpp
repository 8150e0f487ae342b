#include "shared/fs/tree_walk.hpp"

#include "shared/fs/user_tree.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace phoenix::fs::tree {

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

std::string kind_of(mode_t mode) {
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

Error refusal(const std::string& path, const std::string& what, const std::string& fix) {
  return make_error("unsafe_path", path + " is " + what + "; Phoenix, running as root, uses only the user's own "
                                       "regular files and directories in a home and never follows links there. " +
                                       fix);
}

Error errno_error(const std::string& what, const std::string& path, int err) {
  return make_error(err == ENOENT ? "not_found" : "io_error",
                    std::string(what) + " " + path + ": " + std::strerror(err));
}

FileInfo info_of(const struct ::stat& st) {
  FileInfo info;
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.is_directory = S_ISDIR(st.st_mode);
  info.size = st.st_size;
  return info;
}

int write_all(int fd, std::string_view content) {
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    written += static_cast<std::size_t>(n);
  }
  return 0;
}

Result<std::string> read_all(int fd, const std::string& path, std::size_t max_bytes) {
  std::string out;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", path, errno);
    }
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      return make_error("too_big", path + " is larger than " + describe_size(max_bytes) +
                                       ", the most Phoenix reads of such a file; make it smaller");
    }
  }
}

bool owned_ok(const struct ::stat& st, const Owner& owner) {
  if (st.st_uid == owner.uid) return true;
  const uid_t self = ::geteuid();
  return self != 0 && st.st_uid == self;
}

Result<void> check_entry(int dir, const std::string& name, const std::string& shown, bool want_dir,
                         const Owner& owner, struct ::stat& st) {
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_error("cannot stat", shown, errno);
  const bool right_kind = want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode);
  if (!right_kind) {
    if (S_ISLNK(st.st_mode)) {
      return refusal(shown, "a symbolic link", "Replace the link by the real " +
                                                   std::string(want_dir ? "directory" : "file") + ", or remove it.");
    }
    if (want_dir || S_ISDIR(st.st_mode)) {
      return refusal(shown, kind_of(st.st_mode) + " where a " + (want_dir ? "directory" : "regular file") +
                                " is expected",
                     "Move it out of the way.");
    }
    return refusal(shown, kind_of(st.st_mode), "Remove it, or replace it by a regular file.");
  }
  if (!owned_ok(st, owner)) {
    return refusal(shown, "owned by uid " + std::to_string(st.st_uid) + ", not by the user (uid " +
                              std::to_string(owner.uid) + ")",
                   "Give it to the user (chown " + std::to_string(owner.uid) + ":" + std::to_string(owner.gid) + " " +
                       shown + ") or remove it.");
  }
  return ok();
}

std::string shown_path(const std::string& home, const std::vector<std::string>& levels, std::size_t count) {
  std::string shown = home;
  for (std::size_t i = 0; i < count && i < levels.size(); ++i) shown += "/" + levels[i];
  return shown;
}

namespace {

// One level down: opens `name` in `dir` as a directory without following it. The
// fstat after the open closes the window between check_entry and openat.
Result<Fd> open_level(int dir, const std::string& name, const std::string& shown, const Owner& owner) {
  struct ::stat st {};
  if (auto r = check_entry(dir, name, shown, true, owner, st); !r) return r.error();
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ELOOP || errno == ENOTDIR) return refusal(shown, "no longer a directory", "Run again.");
    return errno_error("cannot open directory", shown, errno);
  }
  struct ::stat now {};
  if (::fstat(fd.get(), &now) != 0) return errno_error("cannot stat", shown, errno);
  if (now.st_dev != st.st_dev || now.st_ino != st.st_ino) return refusal(shown, "being replaced", "Run again.");
  return fd;
}

Result<void> make_level(int dir, const std::string& name, const std::string& shown, const Owner& owner,
                        mode_t mode) {
  if (::mkdirat(dir, name.c_str(), mode) != 0) {
    if (errno == EEXIST) return ok();  // raced with someone; open_level checks what it is
    return errno_error("cannot create directory", shown, errno);
  }
  Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return refusal(shown, "replaced right after Phoenix created it", "Run again.");
  // mkdirat's mode is narrowed by umask; a directory for keys must be exactly `mode`.
  if (::fchmod(fd.get(), mode) != 0) return errno_error("cannot chmod", shown, errno);
  if (::fchown(fd.get(), owner.uid, owner.gid) != 0 && ::geteuid() == 0) {
    return errno_error("cannot chown", shown, errno);
  }
  return ok();
}

}  // namespace

Result<Fd> open_levels(const std::string& home, const std::vector<std::string>& levels, const Owner& owner,
                       const mode_t* create_mode) {
  Fd dir(::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return errno_error("cannot open home directory", home, errno);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const std::string shown = shown_path(home, levels, i + 1);
    auto next = open_level(dir.get(), levels[i], shown, owner);
    if (!next && next.error().code == "not_found" && create_mode != nullptr) {
      if (auto made = make_level(dir.get(), levels[i], shown, owner, *create_mode); !made) return made.error();
      next = open_level(dir.get(), levels[i], shown, owner);
    }
    if (!next) return next.error();
    dir = std::move(*next);
  }
  return dir;
}

}  // namespace phoenix::fs::tree
