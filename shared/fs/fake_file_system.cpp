#include "shared/fs/fake_file_system.hpp"

#include <algorithm>

namespace phoenix::fs {
namespace {

Error not_found(const std::string& path) { return make_error("not_found", "no such file: " + path); }

void add_parents(std::map<std::string, FakeFileSystem::Node>& nodes, const std::string& path) {
  for (std::string dir = parent_path(path); dir != "/" && dir != "."; dir = parent_path(dir)) {
    auto [it, inserted] = nodes.try_emplace(dir);
    if (inserted) {
      it->second.info.is_directory = true;
      it->second.info.mode = 0755;
    }
  }
}

// Follows symlinks in any component of `path` (a target is absolute or relative to the
// link's directory), as the kernel would; at most 16 hops.
std::string resolve(const std::map<std::string, FakeFileSystem::Node>& nodes, std::string path) {
  for (int hops = 0; hops < 16; ++hops) {
    bool changed = false;
    for (std::size_t pos = 1; pos <= path.size(); ++pos) {
      if (pos != path.size() && path[pos] != '/') continue;
      const std::string prefix = path.substr(0, pos);
      const auto it = nodes.find(prefix);
      if (it == nodes.end() || !it->second.symlink_target) continue;
      const std::string& target = *it->second.symlink_target;
      const std::string base = target.front() == '/' ? target : parent_path(prefix) + "/" + target;
      path = base + path.substr(pos);
      changed = true;
      break;
    }
    if (!changed) break;
  }
  return path;
}

}  // namespace

Result<std::string> FakeFileSystem::read_file(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = nodes_.find(resolve(nodes_, path));
  if (it == nodes_.end()) return not_found(path);
  if (it->second.info.is_directory) return make_error("io_error", "is a directory: " + path);
  for (const auto& home : confined_homes_) {
    if (path.starts_with(home + "/") && it->second.content.size() > kUserFileLimit) {
      return make_error("too_big", path + " is larger than Phoenix reads in a user's home");
    }
  }
  return it->second.content;
}

Result<std::string> FakeFileSystem::read_file_at_most(const std::string& path, std::size_t max_bytes) const {
  auto text = read_file(path);
  if (text && text->size() > max_bytes) {
    return make_error("too_big", path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

void FakeFileSystem::confine_user_tree(const std::string& home, uid_t, gid_t) const {
  std::lock_guard lock(mutex_);
  if (std::find(confined_homes_.begin(), confined_homes_.end(), home) == confined_homes_.end()) {
    confined_homes_.push_back(home);
  }
}

std::vector<std::string> FakeFileSystem::confined_homes() const {
  std::lock_guard lock(mutex_);
  return confined_homes_;
}

Result<void> FakeFileSystem::write_file_atomic(const std::string& path, std::string_view content,
                                               const WriteOptions& options) {
  std::lock_guard lock(mutex_);
  if (fail_predicate_ && fail_predicate_(path)) {
    return make_error("io_error", "injected write failure: " + path);
  }
  ++writes_;
  add_parents(nodes_, path);
  Node& node = nodes_[path];
  node.content = std::string(content);
  node.info.mode = options.mode;
  node.info.is_directory = false;
  node.info.size = static_cast<off_t>(content.size());
  if (options.owner_uid) node.info.uid = *options.owner_uid;
  if (options.owner_gid) node.info.gid = *options.owner_gid;
  return ok();
}

bool FakeFileSystem::exists(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return nodes_.count(path) != 0 || nodes_.count(resolve(nodes_, path)) != 0;
}

Result<FileInfo> FakeFileSystem::stat(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = nodes_.find(resolve(nodes_, path));
  if (it == nodes_.end()) return not_found(path);
  return it->second.info;
}

Result<void> FakeFileSystem::create_directories(const std::string& path, mode_t mode) {
  std::lock_guard lock(mutex_);
  // Like mkdir -p: directories made now get `mode`, existing ones keep theirs.
  for (std::string dir = path; dir != "/" && dir != "."; dir = parent_path(dir)) {
    auto [it, inserted] = nodes_.try_emplace(dir);
    if (!inserted && !it->second.info.is_directory) {
      return make_error("io_error", "not a directory: " + dir);
    }
    if (inserted) {
      it->second.info.is_directory = true;
      it->second.info.mode = mode;
    }
  }
  return ok();
}

Result<std::vector<std::string>> FakeFileSystem::list_directory(const std::string& path) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> names;
  const std::string resolved = resolve(nodes_, path);
  const std::string prefix = resolved == "/" ? "/" : resolved + "/";
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const std::string rest = it->first.substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;  // std::map keeps them sorted
}

Result<void> FakeFileSystem::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  if (fail_predicate_ && fail_predicate_(to)) {
    return make_error("io_error", "injected rename failure: " + to);
  }
  const auto it = nodes_.find(from);
  if (it == nodes_.end()) return not_found(from);
  // Like rename(2): the target is replaced, and a directory moves with everything below it.
  const std::string from_prefix = from + "/";
  const std::string to_prefix = to + "/";
  for (auto old = nodes_.lower_bound(to_prefix); old != nodes_.end() && old->first.rfind(to_prefix, 0) == 0;) {
    old = nodes_.erase(old);
  }
  std::vector<std::pair<std::string, Node>> moved;
  for (auto child = nodes_.lower_bound(from_prefix);
       child != nodes_.end() && child->first.rfind(from_prefix, 0) == 0;) {
    moved.emplace_back(to_prefix + child->first.substr(from_prefix.size()), std::move(child->second));
    child = nodes_.erase(child);
  }
  Node node = std::move(it->second);
  nodes_.erase(from);
  add_parents(nodes_, to);
  nodes_[to] = std::move(node);
  for (auto& [path, child] : moved) nodes_[path] = std::move(child);
  return ok();
}

Result<void> FakeFileSystem::remove(const std::string& path) {
  std::lock_guard lock(mutex_);
  nodes_.erase(path);
  return ok();
}

Result<void> FakeFileSystem::set_mode(const std::string& path, mode_t mode) {
  std::lock_guard lock(mutex_);
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) return not_found(path);
  it->second.info.mode = mode;
  return ok();
}

Result<void> FakeFileSystem::set_owner(const std::string& path, uid_t uid, gid_t gid) {
  std::lock_guard lock(mutex_);
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) return not_found(path);
  it->second.info.uid = uid;
  it->second.info.gid = gid;
  return ok();
}

void FakeFileSystem::put(const std::string& path, std::string content, mode_t mode) {
  std::lock_guard lock(mutex_);
  add_parents(nodes_, path);
  Node& node = nodes_[path];
  node.info.size = static_cast<off_t>(content.size());
  node.content = std::move(content);
  node.info.mode = mode;
}

void FakeFileSystem::fail_writes_matching(std::function<bool(const std::string&)> predicate) {
  std::lock_guard lock(mutex_);
  fail_predicate_ = std::move(predicate);
}

std::map<std::string, FakeFileSystem::Node> FakeFileSystem::snapshot() const {
  std::lock_guard lock(mutex_);
  return nodes_;
}

int FakeFileSystem::write_count() const {
  std::lock_guard lock(mutex_);
  return writes_;
}

}  // namespace phoenix::fs

namespace phoenix::fs {

// The fake keeps symlinks as nodes with a target; reads through them are resolved by the
// caller (tests assert on link targets directly).
Result<void> FakeFileSystem::symlink_atomic(const std::string& target, const std::string& link_path) {
  std::lock_guard lock(mutex_);
  if (fail_predicate_ && fail_predicate_(link_path)) {
    return make_error("io_error", "injected symlink failure: " + link_path);
  }
  add_parents(nodes_, link_path);
  Node node;
  node.symlink_target = target;
  node.info.mode = 0777;
  nodes_[link_path] = std::move(node);
  return ok();
}

Result<std::string> FakeFileSystem::read_symlink(const std::string& path) const {
  std::lock_guard lock(mutex_);
  const auto it = nodes_.find(path);
  if (it == nodes_.end()) return not_found(path);
  if (!it->second.symlink_target) return make_error("io_error", "not a symlink: " + path);
  return *it->second.symlink_target;
}

Result<void> FakeFileSystem::remove_tree(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (path.empty() || path == "/") return make_error("io_error", "refusing to remove '" + path + "'");
  const std::string prefix = path + "/";
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (it->first == path || it->first.compare(0, prefix.size(), prefix) == 0) {
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  return ok();
}

}  // namespace phoenix::fs
