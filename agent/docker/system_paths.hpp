#pragma once
// Every system path the agent reads or writes, in one place, so that `--root DIR` can
// prefix all of them: tests and dry runs then never touch the real machine.
#include <string>
#include <vector>

namespace phoenix::agent::docker {

struct SystemPaths {
  // The prefix every path below already carries ("" for the real system).
  std::string root;

  std::string docker_dir;          // /etc/docker
  std::string daemon_json;         // /etc/docker/daemon.json
  std::string tls_dir;             // /etc/docker/tls
  std::string systemd_etc_dir;     // /etc/systemd/system
  std::string dropin_dir;          // /etc/systemd/system/docker.service.d
  std::string phoenix_dropin;      // /etc/systemd/system/docker.service.d/phoenix.conf
  // Where systemd looks for docker.service, highest priority first:
  // /etc/systemd/system, /lib/systemd/system, /usr/lib/systemd/system.
  std::vector<std::string> unit_search_order;
  // The matching `docker.service.d` drop-in directories, same order.
  std::vector<std::string> dropin_search_order;
  std::string etc_environment;     // /etc/environment
  std::string profile_d;           // /etc/profile.d
  std::string default_docker;      // /etc/default/docker
  std::string etc_passwd;          // /etc/passwd
  std::string root_home;           // /root
  std::string home_base;           // /home

  // All paths above under `root` (fs::prefixed); "" gives the real system paths.
  static SystemPaths under(const std::string& root);

  // A path as dockerd or a user sees it (e.g. daemon.json's "tlscert" value) turned into
  // the path this process must open: the same path under `root`. A path that already
  // lies under `root` is returned unchanged: under --root, `docker apply` writes
  // daemon.json with the prefixed paths, so that a test dockerd finds its files.
  std::string host_path(const std::string& system_absolute_path) const;
};

}  // namespace phoenix::agent::docker
