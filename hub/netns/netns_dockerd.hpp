#pragma once
// A netns VM's dockerd: started inside the VM's network namespace (nsenter --net, not
// `ip netns exec`, which remounts /sys and breaks dockerd's cgroup setup), detached, with
// its own data/exec roots, pidfile and unix socket under the VM's runtime dir, and the
// daemon.json under the agent's --root so the agent's `docker apply` configures it.
// The launch settings are saved in the VM dir, so `phoenix-hub netns restart-dockerd --dir`
// (the agent's restart command) restarts exactly that daemon from another process.
#include "hub/netns/netns_layout.hpp"
#include "shared/core/error.hpp"

#include <chrono>
#include <string>

namespace phoenix::hub {

struct NetnsDockerd {
  std::string nsenter;     // absolute path
  std::string dockerd;     // absolute path
  std::string netns_path;  // /var/run/netns/NAME
  std::string netns;       // its name (containerd namespaces)
  std::string runtime;     // data, exec, pidfile, socket live here
  std::string config_file; // <root>/etc/docker/daemon.json
  std::string socket;
  std::string log_file;

  static NetnsDockerd for_vm(const NetnsVmLayout& vm, std::string nsenter, std::string dockerd);
  // Without -H when daemon.json lists "hosts" (dockerd refuses both).
  Argv argv(bool config_lists_hosts) const;
};

Result<void> save_dockerd_settings(const std::string& vm_dir, const NetnsDockerd& dockerd);
Result<NetnsDockerd> load_dockerd_settings(const std::string& vm_dir);

// GET /_ping over the unix socket answers 200.
bool dockerd_answers(const std::string& socket);
// Starts it and waits until /_ping answers. Errors: "dockerd_start_failed" with the log's tail.
Result<void> start_netns_dockerd(const NetnsDockerd& dockerd, std::chrono::seconds timeout);
// Stops it by pidfile (SIGTERM, SIGKILL after 20 s), its containerd, and its mounts.
void stop_netns_dockerd(const NetnsDockerd& dockerd);
// stop + start from the settings saved in `vm_dir`.
Result<void> restart_netns_dockerd(const std::string& vm_dir, std::chrono::seconds timeout);

}  // namespace phoenix::hub
