#include "shared/fs/user_tree.hpp"

#include "shared/fs/tree_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <random>

namespace phoenix::fs {
namespace {

using tree::Fd;

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(12, '0');
  for (auto& c : s) c = kHex[rng() % 16];
  return s;
}

// The parent's descriptor and the last name: what every single-entry operation needs.
struct Parent {
  Fd dir;
  std::string name;
  std::string shown;
};

Result<Parent> open_parent(const std::string& home, const std::vector<std::string>& levels,
                           const tree::Owner& owner, const mode_t* create_mode = nullptr) {
  const std::vector<std::string> parents(levels.begin(), levels.end() - 1);
  auto dir = tree::open_levels(home, parents, owner, create_mode);
  if (!dir) return dir.error();
  return Parent{std::move(*dir), levels.back(), tree::shown_path(home, levels, levels.size())};
}

// The parent of `levels` opened, and its last entry checked (a file or a directory, never a
// link, the user's): what stat and set_mode act on. Fills `st`.
Result<Parent> open_checked_entry(const std::string& home, const std::vector<std::string>& levels,
                                  const std::string& path, const tree::Owner& owner, struct ::stat& st) {
  auto parent = open_parent(home, levels, owner);
  if (!parent) return parent.error();
  if (::fstatat(parent->dir.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return tree::errno_error("cannot stat", path, errno);
  }
  if (auto r = tree::check_entry(parent->dir.get(), parent->name, path, S_ISDIR(st.st_mode), owner, st); !r) {
    return r.error();
  }
  return parent;
}

// Empties the directory `dir` (a descriptor, never a path) and everything below it.
Result<void> empty_directory(int dir, const std::string& shown) {
  Fd listing(::dup(dir));
  if (listing.get() < 0) return tree::errno_error("cannot list", shown, errno);
  DIR* stream = ::fdopendir(listing.get());
  if (stream == nullptr) return tree::errno_error("cannot list", shown, errno);
  listing.release();
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(stream);
  for (const auto& name : names) {
    const std::string path = shown + "/" + name;
    struct ::stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return tree::errno_error("cannot stat", path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
      Fd child(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (child.get() < 0) return tree::errno_error("cannot open directory", path, errno);
      if (auto r = empty_directory(child.get(), path); !r) return r;
      if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        return tree::errno_error("cannot remove directory", path, errno);
      }
    } else if (::unlinkat(dir, name.c_str(), 0) != 0 && errno != ENOENT) {
      return tree::errno_error("cannot remove", path, errno);
    }
  }
  return ok();
}

}  // namespace

std::string describe_size(std::size_t bytes) {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

UserTree::UserTree(std::string home, uid_t uid, gid_t gid) : home_(std::move(home)), uid_(uid), gid_(gid) {
  while (home_.size() > 1 && home_.back() == '/') home_.pop_back();
}

bool UserTree::contains(const std::string& path) const {
  return path.size() > home_.size() + 1 && path.starts_with(home_) && path[home_.size()] == '/';
}

Result<std::vector<std::string>> UserTree::components(const std::string& path) const {
  if (!contains(path)) return make_error("io_error", path + " is not below " + home_);
  std::vector<std::string> levels;
  std::size_t pos = home_.size() + 1;
  while (pos <= path.size()) {
    const auto end = std::min(path.find('/', pos), path.size());
    const std::string name = path.substr(pos, end - pos);
    if (name == "..") return tree::refusal(path, "a path with '..'", "Name the file without '..'.");
    if (!name.empty() && name != ".") levels.push_back(name);
    pos = end + 1;
  }
  if (levels.empty()) return make_error("io_error", path + " names the home directory itself");
  return levels;
}

Result<std::string> UserTree::read(const std::string& path, std::size_t max_bytes) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  const tree::Owner owner{uid_, gid_};
  auto parent = open_parent(home_, *levels, owner);
  if (!parent) return parent.error();
  struct ::stat before {};
  if (auto r = tree::check_entry(parent->dir.get(), parent->name, path, false, owner, before); !r) return r.error();
  // O_NONBLOCK: should the entry turn into a FIFO after the check, open must not wait for
  // a writer; O_NOFOLLOW: nor turn into a link.
  Fd fd(::openat(parent->dir.get(), parent->name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ELOOP) return tree::refusal(path, "a symbolic link", "Replace the link by the real file.");
    return tree::errno_error("cannot read", path, errno);
  }
  struct ::stat st {};
  if (::fstat(fd.get(), &st) != 0) return tree::errno_error("cannot stat", path, errno);
  if (st.st_dev != before.st_dev || st.st_ino != before.st_ino || !S_ISREG(st.st_mode)) {
    return tree::refusal(path, "being replaced while Phoenix reads it", "Run again.");
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return make_error("too_big", path + " is larger than " + describe_size(max_bytes) +
                                     ", the most Phoenix reads of such a file; make it smaller");
  }
  return tree::read_all(fd.get(), path, max_bytes);  // also "too_big" if it grew after the fstat
}

Result<FileInfo> UserTree::stat(const std::string& path) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  struct ::stat st {};
  if (auto parent = open_checked_entry(home_, *levels, path, tree::Owner{uid_, gid_}, st); !parent) {
    return parent.error();
  }
  return tree::info_of(st);
}

bool UserTree::exists(const std::string& path) const {
  auto levels = components(path);
  if (!levels) return false;
  auto parent = open_parent(home_, *levels, tree::Owner{uid_, gid_});
  if (!parent) return parent.error().code != "not_found";
  struct ::stat st {};
  return ::fstatat(parent->dir.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Result<std::vector<std::string>> UserTree::list(const std::string& path) const {
  std::vector<std::string> names;
  auto levels = components(path);
  if (!levels) return levels.error();
  auto dir = tree::open_levels(home_, *levels, tree::Owner{uid_, gid_}, nullptr);
  if (!dir) {
    if (dir.error().code == "not_found") return names;
    return dir.error();
  }
  DIR* stream = ::fdopendir(dir->get());
  if (stream == nullptr) return tree::errno_error("cannot list", path, errno);
  dir->release();
  while (const dirent* entry = ::readdir(stream)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(stream);
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> UserTree::write_atomic(const std::string& path, std::string_view content,
                                    const WriteOptions& options) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  const tree::Owner owner{uid_, gid_};
  auto parent = open_parent(home_, *levels, owner);
  if (!parent) return parent.error();
  const int dir = parent->dir.get();
  // A directory at the name would survive renameat's failure untouched; say so first.
  struct ::stat existing {};
  if (::fstatat(dir, parent->name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(existing.st_mode)) {
    return tree::refusal(path, "a directory where a regular file is expected", "Move it out of the way.");
  }
  const std::string tmp = "." + parent->name + ".phoenix-" + random_suffix();
  Fd fd(::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, options.mode));
  if (fd.get() < 0) return tree::errno_error("cannot create", path + " (temp file)", errno);
  auto fail = [&](const char* what) {
    const int err = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    return Result<void>(tree::errno_error(what, path, err));
  };
  if (::fchmod(fd.get(), options.mode) != 0) return fail("cannot chmod");
  // Created by root, so given to the user before it gets its name: the user never sees a
  // root-owned file in her tree, and a later read of it passes the owner check.
  const uid_t uid = options.owner_uid.value_or(uid_);
  const gid_t gid = options.owner_gid.value_or(gid_);
  if (::fchown(fd.get(), uid, gid) != 0 && ::geteuid() == 0) return fail("cannot chown");
  if (const int err = tree::write_all(fd.get(), content); err != 0) {
    errno = err;
    return fail("cannot write");
  }
  if (::fsync(fd.get()) != 0) return fail("cannot fsync");
  if (::close(fd.release()) != 0) return fail("cannot close");
  // renameat replaces whatever the name is (a link included) without following it.
  if (::renameat(dir, tmp.c_str(), dir, parent->name.c_str()) != 0) return fail("cannot rename into place");
  if (::fsync(dir) != 0) return tree::errno_error("cannot fsync directory of", path, errno);
  return ok();
}

Result<void> UserTree::make_directories(const std::string& path, mode_t mode) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  auto dir = tree::open_levels(home_, *levels, tree::Owner{uid_, gid_}, &mode);
  if (!dir) return dir.error();
  return ok();
}

Result<void> UserTree::set_mode(const std::string& path, mode_t mode) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  struct ::stat st {};
  auto parent = open_checked_entry(home_, *levels, path, tree::Owner{uid_, gid_}, st);
  if (!parent) return parent.error();
  Fd fd(::openat(parent->dir.get(), parent->name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return tree::errno_error("cannot open", path, errno);
  if (::fchmod(fd.get(), mode) != 0) return tree::errno_error("cannot chmod", path, errno);
  return ok();
}

Result<void> UserTree::set_owner(const std::string& path, uid_t uid, gid_t gid) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  auto parent = open_parent(home_, *levels, tree::Owner{uid_, gid_});
  if (!parent) return parent.error();
  if (::fchownat(parent->dir.get(), parent->name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return tree::errno_error("cannot chown", path, errno);
  }
  return ok();
}

Result<void> UserTree::remove(const std::string& path) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  auto parent = open_parent(home_, *levels, tree::Owner{uid_, gid_});
  if (!parent) return parent.error().code == "not_found" ? ok() : Result<void>(parent.error());
  if (::unlinkat(parent->dir.get(), parent->name.c_str(), 0) == 0 || errno == ENOENT) return ok();
  if (errno == EISDIR && ::unlinkat(parent->dir.get(), parent->name.c_str(), AT_REMOVEDIR) == 0) return ok();
  return tree::errno_error("cannot remove", path, errno);
}

Result<void> UserTree::remove_tree(const std::string& path) const {
  auto levels = components(path);
  if (!levels) return levels.error();
  auto parent = open_parent(home_, *levels, tree::Owner{uid_, gid_});
  if (!parent) return parent.error().code == "not_found" ? ok() : Result<void>(parent.error());
  struct ::stat st {};
  if (::fstatat(parent->dir.get(), parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? ok() : tree::errno_error("cannot stat", path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    Fd dir(::openat(parent->dir.get(), parent->name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0) return tree::errno_error("cannot open directory", path, errno);
    if (auto r = empty_directory(dir.get(), path); !r) return r;
    if (::unlinkat(parent->dir.get(), parent->name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
      return tree::errno_error("cannot remove directory", path, errno);
    }
    return ok();
  }
  if (::unlinkat(parent->dir.get(), parent->name.c_str(), 0) != 0 && errno != ENOENT) {
    return tree::errno_error("cannot remove", path, errno);
  }
  return ok();
}

}  // namespace phoenix::fs
