#include "agent/docker/system_paths.hpp"

#include "shared/fs/file_system.hpp"

namespace phoenix::agent::docker {

SystemPaths SystemPaths::under(const std::string& root) {
  const auto p = [&root](const std::string& path) { return fs::prefixed(root, path); };
  SystemPaths paths;
  paths.root = root;
  paths.docker_dir = p("/etc/docker");
  paths.daemon_json = p("/etc/docker/daemon.json");
  paths.tls_dir = p("/etc/docker/tls");
  paths.systemd_etc_dir = p("/etc/systemd/system");
  paths.dropin_dir = p("/etc/systemd/system/docker.service.d");
  paths.phoenix_dropin = p("/etc/systemd/system/docker.service.d/phoenix.conf");
  for (const char* dir : {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}) {
    paths.unit_search_order.push_back(p(std::string(dir) + "/docker.service"));
    paths.dropin_search_order.push_back(p(std::string(dir) + "/docker.service.d"));
  }
  paths.etc_environment = p("/etc/environment");
  paths.profile_d = p("/etc/profile.d");
  paths.default_docker = p("/etc/default/docker");
  paths.etc_passwd = p("/etc/passwd");
  paths.root_home = p("/root");
  paths.home_base = p("/home");
  return paths;
}

std::string SystemPaths::host_path(const std::string& system_absolute_path) const {
  const std::string root_dir = fs::prefixed(root, "/");
  if (!root.empty() && root_dir != "/" && system_absolute_path.starts_with(root_dir)) return system_absolute_path;
  return fs::prefixed(root, system_absolute_path);
}

}  // namespace phoenix::agent::docker
