#include "agent/docker/user_account.hpp"

#include <charconv>
#include <optional>

namespace phoenix::agent::docker {
namespace {

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (true) {
    const auto end = text.find(separator, pos);
    parts.push_back(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return parts;
}

template <class T>
std::optional<T> parse_id(std::string_view text) {
  unsigned long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return static_cast<T>(value);
}

// name:password:uid:gid:gecos:home:shell
std::optional<UserAccount> find_in_passwd(std::string_view passwd, const std::string& name,
                                          const SystemPaths& paths) {
  for (std::string_view line : split(passwd, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto fields = split(line, ':');
    if (fields.size() < 7 || fields[0] != name) continue;
    const auto uid = parse_id<uid_t>(fields[2]);
    const auto gid = parse_id<gid_t>(fields[3]);
    if (!uid || !gid || fields[5].empty() || fields[5].front() != '/') return std::nullopt;
    return UserAccount{name, paths.host_path(std::string(fields[5])), *uid, *gid};
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> split_user_list(std::string_view comma_separated) {
  std::vector<std::string> names;
  for (std::string_view part : split(comma_separated, ',')) {
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    if (!part.empty()) names.emplace_back(part);
  }
  return names;
}

Result<std::vector<UserAccount>> resolve_users(const fs::FileSystem& fs, const SystemPaths& paths,
                                               const std::vector<std::string>& names) {
  const auto passwd = fs.read_file(paths.etc_passwd);
  std::vector<UserAccount> users;
  for (const auto& name : names) {
    if (name == "root") {
      users.push_back(UserAccount{"root", paths.root_home, 0, 0});
      fs.confine_user_tree(paths.root_home, 0, 0);
      continue;
    }
    std::optional<UserAccount> user;
    if (passwd && !name.empty()) user = find_in_passwd(*passwd, name, paths);
    if (!user) {
      return make_error("unknown_user", "user '" + name + "' is not in " + paths.etc_passwd +
                                            "; create the account or drop it from --users");
    }
    // Every later access below this home, by whoever holds `fs`, goes without links.
    fs.confine_user_tree(user->home, user->uid, user->gid);
    users.push_back(std::move(*user));
  }
  return users;
}

}  // namespace phoenix::agent::docker
