#pragma once
// Timestamps for log lines where no journal adds them: launchd writes a service's stderr to a
// plain file (the hub on a Mac), so PHOENIX_LOG_TIMESTAMPS=1 starts every line written to
// stderr with the UTC time. Lines for journald keep their bare "<N>" prefix.
#include <chrono>
#include <string>

namespace phoenix::log {

// "2026-12-03T06:55:44.123Z " (UTC, milliseconds, one trailing space).
std::string timestamp_prefix(std::chrono::system_clock::time_point when);

// True when PHOENIX_LOG_TIMESTAMPS is "1" (read once).
bool timestamps_enabled();

}  // namespace phoenix::log
