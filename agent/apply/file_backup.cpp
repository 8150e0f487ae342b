#include "agent/apply/file_backup.hpp"

namespace phoenix::agent::apply {

Result<void> copy_path(fs::FileSystem& fs, const std::string& from, const std::string& to) {
  auto info = fs.stat(from);
  if (!info) return info.error();
  if (info->is_directory) {
    if (auto r = fs.create_directories(to, info->mode); !r) return r;
    if (auto r = fs.set_mode(to, info->mode); !r) return r;
    if (auto r = fs.set_owner(to, info->uid, info->gid); !r) return r;
    auto names = fs.list_directory(from);
    if (!names) return names.error();
    for (const auto& name : *names) {
      if (auto r = copy_path(fs, from + "/" + name, to + "/" + name); !r) return r;
    }
    return ok();
  }
  auto content = fs.read_file(from);
  if (!content) return content.error();
  if (auto r = fs.create_directories(fs::parent_path(to), 0700); !r) return r;
  fs::WriteOptions options;
  options.mode = info->mode;
  options.owner_uid = info->uid;
  options.owner_gid = info->gid;
  return fs.write_file_atomic(to, *content, options);
}

Result<std::vector<BackupEntry>> back_up(fs::FileSystem& fs, const std::vector<std::string>& paths,
                                         const std::string& backup_dir) {
  if (auto r = fs.remove_tree(backup_dir); !r) return r.error();
  if (auto r = fs.create_directories(backup_dir, 0700); !r) return r.error();
  std::vector<BackupEntry> entries;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    BackupEntry entry{paths[i], "", false};
    if (fs.exists(paths[i])) {
      entry.existed = true;
      entry.backup = backup_dir + "/" + std::to_string(i);
      if (auto r = copy_path(fs, paths[i], entry.backup); !r) return r.error();
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<void> restore(fs::FileSystem& fs, const std::vector<BackupEntry>& entries) {
  for (const auto& entry : entries) {
    if (!entry.existed) {
      if (auto r = fs.remove_tree(entry.path); !r) return r;
      continue;
    }
    auto info = fs.stat(entry.backup);
    if (!info) return info.error();
    if (info->is_directory) {
      if (auto r = fs.remove_tree(entry.path); !r) return r;
    }
    if (auto r = copy_path(fs, entry.backup, entry.path); !r) return r;
  }
  return ok();
}

}  // namespace phoenix::agent::apply
