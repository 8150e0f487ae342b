#include "shared/fs/real_file_system.hpp"

#include "shared/fs/tree_walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <random>

namespace phoenix::fs {
namespace {

using tree::errno_error;
using tree::Fd;

Result<void> fsync_directory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return errno_error("cannot fsync directory", dir, errno);
  return ok();
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(12, '0');
  for (auto& c : s) c = kHex[rng() % 16];
  return s;
}

}  // namespace

std::string prefixed(const std::string& root, const std::string& absolute_path) {
  if (root.empty()) return absolute_path;
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  if (absolute_path.empty() || absolute_path.front() != '/') return r + "/" + absolute_path;
  return r + absolute_path;
}

std::string parent_path(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<std::string> RealFileSystem::read_file(const std::string& path) const {
  if (auto tree = tree_for(path)) return tree->read(path, kUserFileLimit);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error("cannot read", path, errno);
  return tree::read_all(fd.get(), path, std::numeric_limits<std::size_t>::max());
}

Result<void> RealFileSystem::write_file_atomic(const std::string& path, std::string_view content,
                                               const WriteOptions& options) {
  if (auto tree = tree_for(path)) return tree->write_atomic(path, content, options);
  const std::string dir = parent_path(path);
  const std::string tmp = path + ".tmp-" + random_suffix();
  // O_EXCL + the final mode at creation: the bytes are never readable by anyone the
  // final file would not allow (umask can only narrow it; fchmod below makes it exact).
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.mode));
  if (fd.get() < 0) return errno_error("cannot create", tmp, errno);
  auto fail = [&](std::string_view what) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Result<void>(errno_error(std::string(what), tmp, err));
  };
  if (::fchmod(fd.get(), options.mode) != 0) return fail("cannot chmod");
  if (options.owner_uid || options.owner_gid) {
    const uid_t uid = options.owner_uid.value_or(static_cast<uid_t>(-1));
    const gid_t gid = options.owner_gid.value_or(static_cast<gid_t>(-1));
    if (::fchown(fd.get(), uid, gid) != 0) return fail("cannot chown");
  }
  if (const int err = tree::write_all(fd.get(), content); err != 0) {
    errno = err;
    return fail("cannot write");
  }
  if (::fsync(fd.get()) != 0) return fail("cannot fsync");
  if (::close(fd.release()) != 0) return fail("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  return fsync_directory(dir);
}

bool RealFileSystem::exists(const std::string& path) const {
  if (auto tree = tree_for(path)) return tree->exists(path);
  struct ::stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Result<FileInfo> RealFileSystem::stat(const std::string& path) const {
  if (auto tree = tree_for(path)) return tree->stat(path);
  struct ::stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error("cannot stat", path, errno);
  return tree::info_of(st);
}

Result<void> RealFileSystem::create_directories(const std::string& path, mode_t mode) {
  if (auto tree = tree_for(path)) {
    // The levels above the home are the system's (--root, /home): made as before.
    if (auto r = create_directories(tree->home(), mode); !r) return r;
    return tree->make_directories(path, mode);
  }
  if (path.empty()) return ok();
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), mode) == 0) {
      // mkdir's mode is narrowed by umask; directories for keys must be exactly `mode`.
      if (::chmod(partial.c_str(), mode) != 0) return errno_error("cannot chmod", partial, errno);
      continue;
    }
    if (errno != EEXIST) return errno_error("cannot create directory", partial, errno);
    struct ::stat st {};
    if (::stat(partial.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return make_error("io_error", "not a directory: " + partial);
    }
  }
  return ok();
}

Result<std::vector<std::string>> RealFileSystem::list_directory(const std::string& path) const {
  if (auto tree = tree_for(path)) return tree->list(path);
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return names;
    return errno_error("cannot list", path, errno);
  }
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> RealFileSystem::rename(const std::string& from, const std::string& to) {
  if (tree_for(from) || tree_for(to)) {
    return make_error("unsafe_path", "Phoenix does not rename in a user's home (" + from + " -> " + to + ")");
  }
  if (::rename(from.c_str(), to.c_str()) != 0) return errno_error("cannot rename", from, errno);
  return fsync_directory(parent_path(to));
}

Result<void> RealFileSystem::remove(const std::string& path) {
  if (auto tree = tree_for(path)) return tree->remove(path);
  if (::remove(path.c_str()) != 0 && errno != ENOENT) {
    return errno_error("cannot remove", path, errno);
  }
  return ok();
}

Result<void> RealFileSystem::set_mode(const std::string& path, mode_t mode) {
  if (auto tree = tree_for(path)) return tree->set_mode(path, mode);
  if (::chmod(path.c_str(), mode) != 0) return errno_error("cannot chmod", path, errno);
  return ok();
}

Result<void> RealFileSystem::set_owner(const std::string& path, uid_t uid, gid_t gid) {
  if (auto tree = tree_for(path)) return tree->set_owner(path, uid, gid);
  if (::lchown(path.c_str(), uid, gid) != 0) return errno_error("cannot chown", path, errno);
  return ok();
}

}  // namespace phoenix::fs

namespace phoenix::fs {

Result<void> RealFileSystem::symlink_atomic(const std::string& target, const std::string& link_path) {
  if (tree_for(link_path)) {
    return make_error("unsafe_path", "Phoenix makes no links in a user's home (" + link_path + ")");
  }
  const std::string tmp = link_path + ".tmp-" + random_suffix();
  if (::symlink(target.c_str(), tmp.c_str()) != 0) return errno_error("cannot create symlink", tmp, errno);
  if (::rename(tmp.c_str(), link_path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return errno_error("cannot rename symlink into place", link_path, err);
  }
  return fsync_directory(parent_path(link_path));
}

Result<std::string> RealFileSystem::read_symlink(const std::string& path) const {
  if (tree_for(path)) return make_error("unsafe_path", "Phoenix reads no links in a user's home (" + path + ")");
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_error("cannot read symlink", path, errno);
  buf.resize(static_cast<std::size_t>(n));
  return buf;
}

Result<void> RealFileSystem::remove_tree(const std::string& path) {
  if (auto tree = tree_for(path)) return tree->remove_tree(path);
  if (path.empty() || path == "/") return make_error("io_error", "refusing to remove '" + path + "'");
  struct ::stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok();
    return errno_error("cannot stat", path, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    auto names = list_directory(path);
    if (!names) return names.error();
    for (const auto& name : *names) {
      if (auto r = remove_tree(path + "/" + name); !r) return r;
    }
    if (::rmdir(path.c_str()) != 0) return errno_error("cannot remove directory", path, errno);
    return ok();
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("cannot remove", path, errno);
  return ok();
}

Result<std::string> RealFileSystem::read_file_at_most(const std::string& path, std::size_t max_bytes) const {
  if (auto tree = tree_for(path)) return tree->read(path, max_bytes);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error("cannot read", path, errno);
  return tree::read_all(fd.get(), path, max_bytes);
}

void RealFileSystem::confine_user_tree(const std::string& home, uid_t uid, gid_t gid) const {
  std::lock_guard lock(trees_mutex_);
  UserTree tree(home, uid, gid);
  for (auto& existing : trees_) {
    if (existing.home() == tree.home()) {
      existing = tree;
      return;
    }
  }
  trees_.push_back(std::move(tree));
}

std::optional<UserTree> RealFileSystem::tree_for(const std::string& path) const {
  std::lock_guard lock(trees_mutex_);
  const UserTree* best = nullptr;
  for (const auto& tree : trees_) {
    if (tree.contains(path) && (best == nullptr || tree.home().size() > best->home().size())) best = &tree;
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

}  // namespace phoenix::fs
