#pragma once
// Host-level steps the dockerd fixture needs, as root: run a program by argv (never a
// shell), find executables, and clean up processes and mounts it left behind.
#include "shared/core/error.hpp"

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace phoenix::test::host {

// First existing executable among `candidates` (absolute paths), or "".
std::string find_executable(const std::vector<std::string>& candidates);

// Runs argv[0] (absolute) with stdout/stderr appended to `log_file`, waits for it.
// Error "command_failed" with the command line and exit status.
Result<void> run(const std::vector<std::string>& argv, const std::string& log_file);

// Starts argv detached: own session (setsid), stdin /dev/null, output appended to
// `log_file`, reparented to init (double fork). Returns the program's pid.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::string& log_file);

// Running and not a zombie.
bool alive(pid_t pid);

// SIGTERM, wait up to `grace`, then SIGKILL and wait a little more. True if it is gone.
bool terminate(pid_t pid, std::chrono::milliseconds grace);

// SIGKILLs dockerd/containerd/shim processes whose command line mentions `dir`, e.g. a
// managed containerd left behind by a killed dockerd. Other programs are never touched.
void kill_daemons_mentioning(const std::string& dir);

// Lazily unmounts every mount point at or below `dir`, deepest first.
void unmount_below(const std::string& dir);

// Last `max_bytes` of a file, "" if unreadable.
std::string file_tail(const std::string& path, std::size_t max_bytes);

}  // namespace phoenix::test::host
