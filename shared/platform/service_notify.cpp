#include "shared/platform/service_notify.hpp"

#include <cstdint>
#include <cstdlib>

#ifdef PHOENIX_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace phoenix::platform {

#ifdef PHOENIX_HAVE_SYSTEMD

bool service_notify_supported() { return true; }

bool notify_service(const std::string& state) {
  // sd_notify is a no-op without NOTIFY_SOCKET; checking first keeps failures meaningful.
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return true;
  return sd_notify(0, state.c_str()) >= 0;
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds{static_cast<long long>(usec / 2)};
}

#else

bool service_notify_supported() { return false; }

bool notify_service(const std::string&) { return true; }

std::optional<std::chrono::microseconds> watchdog_interval() { return std::nullopt; }

#endif

}  // namespace phoenix::platform
