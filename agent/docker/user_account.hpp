#pragma once
// The users whose docker CLI Phoenix configures (default: root), resolved from the
// passwd file under --root so tests never depend on the machine's accounts.
#include "agent/docker/system_paths.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace phoenix::agent::docker {

struct UserAccount {
  std::string name;
  std::string home;  // host path: already under --root, ready for the FileSystem
  uid_t uid = 0;
  gid_t gid = 0;
};

// "root" -> <root>/root, uid 0, gid 0 (also when passwd is missing). Anyone else is
// looked up in <root>/etc/passwd (home, uid, gid); when absent or unreadable:
// Error "unknown_user" naming the user. An empty name is "unknown_user" too.
// Each resolved home is confined in `fs` (FileSystem::confine_user_tree): from then on
// nothing below it is reached through a link, and only the user's own files are used.
Result<std::vector<UserAccount>> resolve_users(const fs::FileSystem& fs, const SystemPaths& paths,
                                               const std::vector<std::string>& names);

// "root,alice" -> {"root", "alice"}; blanks and empty items dropped.
std::vector<std::string> split_user_list(std::string_view comma_separated);

}  // namespace phoenix::agent::docker
