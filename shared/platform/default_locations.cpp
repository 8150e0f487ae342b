#include "shared/platform/default_locations.hpp"

#include <cstdlib>

namespace phoenix::platform {
namespace {

constexpr const char* kHomebrewTart = "/opt/homebrew/bin/tart";  // Apple Silicon Homebrew
constexpr const char* kServiceStateDir = "/var/lib/phoenix-hub";
constexpr const char* kServiceConfig = "/etc/phoenix/hub.json";

}  // namespace

HostSystem host_system() {
#if defined(__linux__)
  return HostSystem::linux_system;
#elif defined(__APPLE__)
  return HostSystem::macos;
#else
  return HostSystem::other;
#endif
}

DefaultLocations default_locations_for(HostSystem system, const std::string& home) {
  DefaultLocations out{kHomebrewTart, kServiceStateDir, kServiceConfig};
  if (system == HostSystem::macos && !home.empty() && home.front() == '/') {
    std::string base = home;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    out.state_dir = base + "/Library/Application Support/Phoenix";
    out.config_path = out.state_dir + "/hub.json";
  }
  return out;
}

DefaultLocations default_locations() {
  const char* home = std::getenv("HOME");
  return default_locations_for(host_system(), home != nullptr ? home : "");
}

}  // namespace phoenix::platform
