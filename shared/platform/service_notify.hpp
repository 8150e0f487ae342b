#pragma once
// Telling the service manager how the process is doing. Under systemd (Type=notify) these are
// sd_notify(3) messages; under launchd, or without libsystemd, there is no such channel and
// every call is a no-op (launchd judges a service by the process being alive; the hub's
// readiness is its API answering).
#include <chrono>
#include <optional>
#include <string>

namespace phoenix::platform {

// True when this build can talk to systemd at all (linked with libsystemd).
bool service_notify_supported();

// Sends one or more NAME=VALUE lines ("READY=1", "STOPPING=1\nSTATUS=..."). Returns false only
// when a service manager asked for notifications (NOTIFY_SOCKET) and sending failed.
bool notify_service(const std::string& state);

// Half of the watchdog interval the service manager asked for (WATCHDOG_USEC), if it did.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace phoenix::platform
