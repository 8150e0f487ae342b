#pragma once
// Removing what a netns VM's dockerd leaves behind on the host: its managed containerd (and
// shims), found by the VM's runtime dir on their command lines, and the mounts dockerd made
// under that dir. Linux only; needs root.
#include <sys/types.h>

#include <chrono>
#include <string>

namespace phoenix::hub {

bool process_alive(pid_t pid);
// SIGTERM, then SIGKILL after `grace`; true once the process is gone (or was never there).
bool terminate_process(pid_t pid, std::chrono::milliseconds grace);
// SIGKILLs every containerd*, dockerd* or docker-proxy process whose command line names `dir`.
void kill_daemons_mentioning(const std::string& dir);
// Lazily unmounts every mount point at or below `dir`, deepest first.
void unmount_below(const std::string& dir);
// The pid written in `path` (0 when missing, unreadable or not running), and only if that
// process's command line mentions `must_mention`: after a reboot a stale pidfile may name an
// unrelated process, which must never be signalled.
pid_t read_live_pid(const std::string& path, const std::string& must_mention);

}  // namespace phoenix::hub
