#pragma once
#include "shared/fs/file_system.hpp"

#include <functional>
#include <map>
#include <mutex>

namespace phoenix::fs {

// In-memory file system for unit tests. Paths are plain strings; parents are implied
// for files but must exist for `list_directory` to see them. `fail_writes_matching` lets a
// test make a chosen write fail, to exercise rollback paths.
class FakeFileSystem final : public FileSystem {
 public:
  struct Node {
    std::string content;
    FileInfo info;
    std::optional<std::string> symlink_target;  // set for symlinks
  };

  Result<std::string> read_file(const std::string& path) const override;
  Result<std::string> read_file_at_most(const std::string& path, std::size_t max_bytes) const override;
  Result<void> write_file_atomic(const std::string& path, std::string_view content,
                                 const WriteOptions& options = {}) override;
  bool exists(const std::string& path) const override;
  Result<FileInfo> stat(const std::string& path) const override;
  Result<void> create_directories(const std::string& path, mode_t mode = 0755) override;
  Result<std::vector<std::string>> list_directory(const std::string& path) const override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<void> remove(const std::string& path) override;
  Result<void> set_mode(const std::string& path, mode_t mode) override;
  Result<void> set_owner(const std::string& path, uid_t uid, gid_t gid) override;
  Result<void> symlink_atomic(const std::string& target, const std::string& link_path) override;
  Result<std::string> read_symlink(const std::string& path) const override;
  Result<void> remove_tree(const std::string& path) override;
  // Recorded only (see confined_homes); the fake has no links to refuse, but applies the
  // same kUserFileLimit to reads below a confined home.
  void confine_user_tree(const std::string& home, uid_t uid, gid_t gid) const override;

  // Test helpers.
  std::vector<std::string> confined_homes() const;
  void put(const std::string& path, std::string content, mode_t mode = 0644);
  void fail_writes_matching(std::function<bool(const std::string& path)> predicate);
  std::map<std::string, Node> snapshot() const;
  int write_count() const;

 private:
  mutable std::mutex mutex_;
  mutable std::vector<std::string> confined_homes_;
  std::map<std::string, Node> nodes_;
  std::function<bool(const std::string&)> fail_predicate_;
  int writes_ = 0;
};

}  // namespace phoenix::fs
