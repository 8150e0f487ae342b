#include "hub/tart/tart_run_supervisor.hpp"

#include "hub/tart/tart_errors.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/core/log.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace phoenix::hub {
namespace {

// Enough for tart's error message; a log that grew more than this since the start is a VM
// that ran for a while, and the tail is what matters.
constexpr std::uintmax_t kMaxErrorTextBytes = 4096;

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::uintmax_t file_size_or_zero(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// What `tart run` wrote to the log after `offset` (its error message on an early exit).
std::string read_log_since(const std::string& path, std::uintmax_t offset) {
  const std::uintmax_t size = file_size_or_zero(path);
  if (size <= offset) return {};
  const std::uintmax_t start = std::max(offset, size - std::min(size, kMaxErrorTextBytes));
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(static_cast<std::size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

}  // namespace

TartRunSupervisor::TartRunSupervisor(const TartCli& cli,
                                     std::shared_ptr<process::DetachedSpawner> spawner)
    : cli_(cli), spawner_(std::move(spawner)) {}

std::string TartRunSupervisor::log_path(const std::string& name) const {
  return cli_.config().state_dir + "/logs/" + name + ".log";
}

Result<VmInfo> TartRunSupervisor::start(const std::string& name,
                                        const std::atomic<bool>& cancelled) const {
  if (auto valid = validate_vm_name(name); !valid) return valid.error();
  const TartConfig& config = cli_.config();

  // Ask tart first: a clear answer for unknown or running VMs without starting anything.
  auto current = cli_.get(name);
  if (!current) return current.error();
  if (current->running) {
    return make_error("already_running", "VM \"" + name + "\" is already running");
  }

  auto argv = cli_.run_argv(name);
  if (!argv) return argv.error();
  const std::string log = log_path(name);
  std::error_code dir_error;
  std::filesystem::create_directories(config.state_dir + "/logs", dir_error);
  if (dir_error) {
    return make_error("driver_failed", "cannot create the VM log directory " + config.state_dir +
                                           "/logs: " + dir_error.message());
  }
  // A marker between runs for people reading the log; created 0640 like the spawner would.
  if (const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640); fd >= 0) {
    const std::string header =
        "--- phoenix-hub: tart run " + name + " --no-graphics at " + utc_now() + " ---\n";
    [[maybe_unused]] const auto written = ::write(fd, header.data(), header.size());
    ::close(fd);
  }
  const std::uintmax_t offset = file_size_or_zero(log);

  auto child = spawner_->spawn({*argv, log, config.extra_env});
  if (!child) {
    return make_error("driver_failed", "cannot start tart run: " + child.error().message);
  }
  log::info("tart", "started tart run " + name + " (pid " + std::to_string((*child)->pid()) +
                        "), log " + log);

  const auto deadline = std::chrono::steady_clock::now() + config.start_timeout;
  std::optional<Error> last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cancelled.load()) {
      return make_error("driver_failed", "the hub is shutting down; VM \"" + name +
                                             "\" may still be starting, see " + log);
    }
    // An early exit first: `tart run` failing is the answer even if another run holds the VM.
    if (auto code = (*child)->exit_code()) {
      const std::string text = read_log_since(log, offset);
      if (*code == 0) {
        return make_error("driver_failed", "tart run " + name + " exited at once without an error; see " + log);
      }
      return map_tart_exit(*code, text, "tart run " + name);
    }
    auto now = cli_.get(name);
    if (now && now->running) return *now;
    if (!now && now.error().code == "vm_not_found") return now.error();  // deleted meanwhile
    if (!now) last_error = now.error();
    std::this_thread::sleep_for(config.start_poll_interval);
  }
  log::warning("tart", "VM " + name + " did not report running in time; tart run left going");
  return make_error("driver_timeout",
                    "VM \"" + name + "\" did not report running within " +
                        std::to_string(config.start_timeout.count()) + " ms" +
                        (last_error ? " (last error: " + last_error->message + ")" : "") +
                        "; tart run is left going, see " + log);
}

}  // namespace phoenix::hub
