#pragma once
// FakeFileSystem moves only the named node on rename(); the identity swap renames whole
// directories, as the kernel does. This wrapper (tests only) moves the subtree, and can
// fail the N-th rename to stop a swap half-way, which is what the repair tests need.
#include "shared/fs/fake_file_system.hpp"

namespace phoenix::agent::testing {

class TreeFakeFileSystem final : public fs::FileSystem {
 public:
  fs::FakeFileSystem& inner() { return inner_; }

  Result<std::string> read_file(const std::string& p) const override { return inner_.read_file(p); }
  Result<std::string> read_file_at_most(const std::string& p, std::size_t max) const override {
    return inner_.read_file_at_most(p, max);
  }
  void confine_user_tree(const std::string& home, uid_t u, gid_t g) const override {
    inner_.confine_user_tree(home, u, g);
  }
  Result<void> write_file_atomic(const std::string& p, std::string_view c,
                                 const fs::WriteOptions& o = {}) override {
    return inner_.write_file_atomic(p, c, o);
  }
  bool exists(const std::string& p) const override { return inner_.exists(p); }
  Result<fs::FileInfo> stat(const std::string& p) const override { return inner_.stat(p); }
  Result<void> create_directories(const std::string& p, mode_t m = 0755) override {
    return inner_.create_directories(p, m);
  }
  Result<std::vector<std::string>> list_directory(const std::string& p) const override {
    return inner_.list_directory(p);
  }
  Result<void> rename(const std::string& from, const std::string& to) override {
    if (fail_rename_countdown_ > 0 && --fail_rename_countdown_ == 0) {
      return make_error("io_error", "injected rename failure: " + from + " -> " + to);
    }
    if (!inner_.exists(from)) return make_error("not_found", "no such file: " + from);
    if (inner_.exists(to)) {
      auto listed = inner_.list_directory(to);
      if (listed && !listed->empty()) return make_error("io_error", "directory not empty: " + to);
    }
    const auto nodes = inner_.snapshot();
    for (const auto& [path, node] : nodes) {
      if (path != from && path.rfind(from + "/", 0) != 0) continue;
      const std::string target = to + path.substr(from.size());
      if (node.info.is_directory) {
        (void)inner_.create_directories(target, node.info.mode);
        (void)inner_.set_mode(target, node.info.mode);
      } else {
        inner_.put(target, node.content, node.info.mode);
      }
    }
    return inner_.remove_tree(from);
  }
  Result<void> remove(const std::string& p) override { return inner_.remove(p); }
  Result<void> set_mode(const std::string& p, mode_t m) override { return inner_.set_mode(p, m); }
  Result<void> set_owner(const std::string& p, uid_t u, gid_t g) override { return inner_.set_owner(p, u, g); }
  Result<void> symlink_atomic(const std::string& t, const std::string& l) override {
    return inner_.symlink_atomic(t, l);
  }
  Result<std::string> read_symlink(const std::string& p) const override { return inner_.read_symlink(p); }
  Result<void> remove_tree(const std::string& p) override { return inner_.remove_tree(p); }

  // The n-th rename from now (1 = the next one) fails.
  void fail_rename_number(int n) { fail_rename_countdown_ = n; }

 private:
  fs::FakeFileSystem inner_;
  int fail_rename_countdown_ = 0;
};

}  // namespace phoenix::agent::testing
