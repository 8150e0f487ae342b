#include "shared/core/log.hpp"

#include "shared/core/log_timestamp.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace phoenix::log {
namespace {

std::atomic<Level> g_min_level{Level::info};
std::mutex g_mutex;  // serialises sink calls so lines from threads never interleave
Sink g_sink;

constexpr std::array<std::string_view, 8> kNames = {"EMERG", "ALERT", "CRIT",  "ERROR",
                                                    "WARN",  "NOTICE", "INFO", "DEBUG"};

// journald sets JOURNAL_STREAM for services whose stderr it reads; a terminal gets names.
bool stderr_goes_to_journald() {
  static const bool journald = std::getenv("JOURNAL_STREAM") != nullptr || !isatty(STDERR_FILENO);
  return journald;
}

void default_sink(Level, std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace

void set_min_level(Level level) { g_min_level.store(level); }
Level min_level() { return g_min_level.load(); }

bool parse_level(std::string_view text, Level& out) {
  struct Entry { std::string_view name; Level level; };
  static constexpr Entry kEntries[] = {
      {"error", Level::error}, {"warning", Level::warning}, {"warn", Level::warning},
      {"notice", Level::notice}, {"info", Level::info}, {"debug", Level::debug}};
  for (const auto& e : kEntries) {
    if (e.name == text) {
      out = e.level;
      return true;
    }
  }
  return false;
}

void set_sink(Sink sink) {
  std::lock_guard lock(g_mutex);
  g_sink = std::move(sink);
}

void reset_sink() { set_sink(nullptr); }

std::string format_line(Level level, std::string_view component, std::string_view message,
                        bool for_journald) {
  std::string line;
  line.reserve(component.size() + message.size() + 12);
  const auto index = static_cast<std::size_t>(level);
  if (for_journald) {
    line += '<';
    line += static_cast<char>('0' + index);
    line += '>';
  } else {
    line += kNames[index];
    line += ' ';
  }
  line += component;
  line += ": ";
  // One event, one line: embedded newlines would split it into several journal entries.
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  return line;
}

void write(Level level, std::string_view component, std::string_view message) {
  if (level > g_min_level.load()) return;
  std::lock_guard lock(g_mutex);
  if (g_sink) {
    g_sink(level, format_line(level, component, message, true));
  } else {
    // journald stamps entries itself; a plain file (launchd's StandardErrorPath) does not.
    if (timestamps_enabled() && std::getenv("JOURNAL_STREAM") == nullptr) {
      default_sink(level, timestamp_prefix(std::chrono::system_clock::now()) +
                              format_line(level, component, message, stderr_goes_to_journald()));
    } else {
      default_sink(level, format_line(level, component, message, stderr_goes_to_journald()));
    }
  }
}

}  // namespace phoenix::log
