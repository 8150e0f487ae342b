#include "shared/core/log_timestamp.hpp"

#include <cstdlib>
#include <ctime>
#include <string_view>

namespace phoenix::log {

std::string timestamp_prefix(std::chrono::system_clock::time_point when) {
  const auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(when);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when - seconds).count();
  const std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char date[32];
  const std::size_t length = std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(date, length);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += "Z ";
  return out;
}

bool timestamps_enabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("PHOENIX_LOG_TIMESTAMPS");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return enabled;
}

}  // namespace phoenix::log
