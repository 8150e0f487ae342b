#pragma once
// Where the hub looks for tart and keeps its state when hub.json and the flags do not say.
// Linux keeps the packaged service's paths (/var/lib/phoenix-hub, /etc/phoenix/hub.json); a Mac
// keeps state and hub.json in ~/Library/Application Support/Phoenix of the user who owns ~/.tart (the hub runs as that user, never as root: tart's VMs belong to it).
#include <string>

namespace phoenix::platform {

enum class HostSystem { linux_system, macos, other };

struct DefaultLocations {
  bool operator==(const DefaultLocations&) const = default;
  std::string tart_path;  // absolute
  std::string state_dir;  // absolute
  std::string config_path;  // hub.json, read when it exists
};

// The system this build runs on.
HostSystem host_system();

// The defaults for `system` with the given home directory (unused on Linux; a missing home on a
// Mac falls back to /var/lib/phoenix-hub, which the operator then has to make writable).
DefaultLocations default_locations_for(HostSystem system, const std::string& home);

// The defaults for this process: host_system() and $HOME.
DefaultLocations default_locations();

}  // namespace phoenix::platform
