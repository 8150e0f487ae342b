#pragma once
// Debian's docker.service starts `dockerd -H fd:// ...`; dockerd refuses to start when
// `hosts` is both a flag and a daemon.json key. Phoenix keeps `hosts` in daemon.json and
// writes a drop-in that re-states ExecStart without -H, keeping the unit's binary path
// (/usr/sbin/dockerd or /usr/bin/dockerd), --containerd and $DOCKER_OPTS.
#include "agent/docker/system_paths.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::agent::docker {

struct UnitFile {
  std::string path;  // host path (under --root)
  std::string text;
};

// The first docker.service in SystemPaths::unit_search_order; "docker_unit_not_found"
// when none exists (dockerd is not installed as a systemd service).
Result<UnitFile> find_docker_unit(const fs::FileSystem& fs, const SystemPaths& paths);

// docker.service.d/*.conf in the order systemd applies them (sorted by file name; a name
// in /etc/systemd/system masks the same name further down the search order).
// `exclude_path` (e.g. Phoenix's own drop-in) is left out.
std::vector<UnitFile> find_docker_dropins(const fs::FileSystem& fs, const SystemPaths& paths,
                                          const std::string& exclude_path = "");

// The effective ExecStart command line after the unit and then each drop-in: the last
// `ExecStart=` wins and an empty `ExecStart=` resets. Continuation lines are joined.
// nullopt when none is left.
std::optional<std::string> effective_exec_start(std::string_view unit_text,
                                                const std::vector<std::string>& dropin_texts = {});

// True when the effective ExecStart passes -H / --host (also `-H=x`, `--host=x`, `-Hx`).
bool unit_passes_host_flag(std::string_view unit_text, const std::vector<std::string>& dropin_texts = {});

// The drop-in text: a comment saying why Phoenix wrote it, then
//   [Service]
//   ExecStart=
//   ExecStart=<binary> <every original argument except -H/--host and its value>
// Error "docker_unit_no_exec_start" when the unit (plus `dropin_texts`) has no ExecStart.
Result<std::string> make_dropin(std::string_view unit_text, const std::vector<std::string>& dropin_texts = {});

}  // namespace phoenix::agent::docker
