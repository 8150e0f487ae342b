#pragma once
#include "shared/fs/file_system.hpp"
#include "shared/fs/user_tree.hpp"

#include <mutex>
#include <optional>
#include <vector>

namespace phoenix::fs {

// POSIX implementation. Every write that matters goes through write_file_atomic. Paths
// below a confined user tree go through UserTree instead (no links, owner checked).
class RealFileSystem final : public FileSystem {
 public:
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
  void confine_user_tree(const std::string& home, uid_t uid, gid_t gid) const override;

 private:
  // The innermost confined tree holding `path`, if any (a copy: trees may be added meanwhile).
  std::optional<UserTree> tree_for(const std::string& path) const;

  mutable std::mutex trees_mutex_;
  mutable std::vector<UserTree> trees_;
};

}  // namespace phoenix::fs
