#pragma once
// sd_notify(3) for `phoenix-agent run` under systemd (Type=notify, WatchdogSec=): READY=1
// once the agent is up, STATUS= lines a person reads in `systemctl status`, WATCHDOG=1
// pings. Without NOTIFY_SOCKET every call is a no-op.
#include <chrono>
#include <optional>
#include <string>

namespace phoenix::agent {

class SystemdNotifier {
 public:
  void ready(const std::string& status);
  void status(const std::string& status);
  void stopping();
  void watchdog();
  // Half of WATCHDOG_USEC when the service manager asked for pings, for this process.
  std::optional<std::chrono::microseconds> watchdog_interval() const;
};

}  // namespace phoenix::agent
