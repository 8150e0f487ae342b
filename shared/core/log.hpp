#pragma once
// Logging for daemons run under systemd: one line per event on stderr, prefixed with the
// syslog priority in angle brackets ("<3>"), which journald turns into the entry's level
// (sd-daemon(3)). On a terminal the prefix is replaced by a readable level name.
#include <functional>
#include <string>
#include <string_view>

namespace phoenix::log {

enum class Level { emergency = 0, alert, critical, error, warning, notice, info, debug };

// Lines below this level are dropped. Default: info.
void set_min_level(Level level);
Level min_level();

// Parses "error", "warning", "info", "debug" (as in config files and --log-level).
bool parse_level(std::string_view text, Level& out);

// Where finished lines go. Default writes to stderr. Tests install a capturing sink.
using Sink = std::function<void(Level, std::string_view line)>;
void set_sink(Sink sink);
void reset_sink();

// Formats one line: "<N>component: message" (journald) or "LEVEL component: message".
std::string format_line(Level level, std::string_view component, std::string_view message,
                        bool for_journald);

void write(Level level, std::string_view component, std::string_view message);

inline void error(std::string_view component, std::string_view msg) { write(Level::error, component, msg); }
inline void warning(std::string_view component, std::string_view msg) { write(Level::warning, component, msg); }
inline void notice(std::string_view component, std::string_view msg) { write(Level::notice, component, msg); }
inline void info(std::string_view component, std::string_view msg) { write(Level::info, component, msg); }
inline void debug(std::string_view component, std::string_view msg) { write(Level::debug, component, msg); }

}  // namespace phoenix::log
