#pragma once
// Settings of the tart driver (hub.json "tart" section plus flags).
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace phoenix::hub {

struct TartConfig {
  std::string tart_path = "/opt/homebrew/bin/tart";  // absolute; run directly, never via a shell
  std::string state_dir = "/var/lib/phoenix-hub";    // per-VM logs in <state_dir>/logs/<vm>.log
  std::chrono::milliseconds list_cache_ms{1000};     // how long a `tart list` answer is reused
  std::chrono::milliseconds call_timeout{30000};     // deadline of each list/get/ip/stop call
  std::chrono::milliseconds start_timeout{120000};   // until `tart run` shows the VM running
  std::chrono::seconds stop_timeout{30};             // `tart stop --timeout` (graceful first)
  std::chrono::milliseconds start_poll_interval{100};
  std::size_t worker_threads = 4;                    // per pool (queries / lifecycle)
  // Added to tart's environment (tests set TART_HOME here; the hub normally adds nothing).
  std::vector<std::pair<std::string, std::string>> extra_env;
  // Told about every tart invocation: its subcommand, how long it took, whether it succeeded.
  std::function<void(const std::string& command, std::chrono::duration<double> took, bool ok)> on_call;
};

}  // namespace phoenix::hub
