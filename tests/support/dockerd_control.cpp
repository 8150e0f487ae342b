// Start/stop/restart of a fixture's dockerd from the state file in its temp dir, shared by
// DockerdFixture and the phoenix-test-dockerd-ctl program (the restart command).
#include "agent/engine/engine_client.hpp"
#include "tests/support/dockerd_fixture.hpp"
#include "tests/support/host_commands.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace phoenix::test::dockerd_control {
namespace {
using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<nlohmann::json> load_state(const std::string& dir) {
  auto state = nlohmann::json::parse(read_text(dir + "/fixture.json"), nullptr, false);
  if (state.is_discarded() || !state.is_object()) {
    return make_error("no_fixture", dir + "/fixture.json is missing or not JSON");
  }
  return state;
}

void save_state(const std::string& dir, const nlohmann::json& state) {
  std::ofstream(dir + "/fixture.json.tmp") << state.dump(2);
  std::rename((dir + "/fixture.json.tmp").c_str(), (dir + "/fixture.json").c_str());
}

// dockerd refuses `hosts` both in the file and as -H, so -H only when the file has none.
bool config_lists_hosts(const std::string& config_file) {
  if (config_file.empty()) return false;
  const auto config = nlohmann::json::parse(read_text(config_file), nullptr, false);
  return !config.is_discarded() && config.is_object() && config.contains("hosts");
}

// The words of the effective `ExecStart=` of docker.service under `root`, as systemd
// reads it: the unit first, then its drop-ins in name order; an empty value resets.
std::vector<std::string> effective_exec_start(const std::string& root) {
  std::vector<std::string> files;
  for (const char* dir : {"/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"}) {
    if (std::filesystem::exists(root + dir + "/docker.service")) files = {root + dir + "/docker.service"};
  }
  std::vector<std::string> dropins;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/etc/systemd/system/docker.service.d", ec)) {
    if (entry.path().extension() == ".conf") dropins.push_back(entry.path().string());
  }
  std::sort(dropins.begin(), dropins.end());
  files.insert(files.end(), dropins.begin(), dropins.end());

  std::vector<std::string> words;
  for (const auto& file : files) {
    std::istringstream lines(read_text(file));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("ExecStart=", 0) != 0) continue;
      std::istringstream value(line.substr(std::string("ExecStart=").size()));
      words.clear();
      for (std::string word; value >> word;) words.push_back(word);
    }
  }
  return words;
}

// The -H/--host values of the effective ExecStart, `fd://` replaced by the fixture's socket.
std::vector<std::string> unit_host_flags(const std::string& dir, const std::string& root) {
  const auto words = effective_exec_start(root);
  std::vector<std::string> hosts;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string value;
    if ((words[i] == "-H" || words[i] == "--host") && i + 1 < words.size()) {
      value = words[++i];
    } else if (words[i].rfind("-H=", 0) == 0 || words[i].rfind("--host=", 0) == 0) {
      value = words[i].substr(words[i].find('=') + 1);
    } else {
      continue;
    }
    if (value.rfind("fd://", 0) == 0) value = "unix://" + dir + "/docker.sock";
    hosts.push_back("-H=" + value);
  }
  return hosts;
}

std::vector<std::string> launch_argv(const std::string& dir, const nlohmann::json& state) {
  std::vector<std::string> argv;
  const std::string netns = state.value("netns", "");
  if (!netns.empty()) {
    // nsenter, not `ip netns exec`: the latter remounts /sys and dockerd then fails with
    // "Devices cgroup isn't mounted".
    argv = {state.value("nsenter", ""), "--net=/var/run/netns/" + netns, "--"};
  }
  argv.push_back(state.value("dockerd", ""));
  for (const std::string& arg :
       {"--data-root=" + dir + "/data", "--exec-root=" + dir + "/exec",
        "--pidfile=" + dir + "/dockerd.pid", std::string("--bridge=none"),
        std::string("--iptables=false"),
        "--containerd-namespace=" + state.value("containerd_namespace", "phx"),
        "--containerd-plugins-namespace=" + state.value("containerd_namespace", "phx") + "-plugins"}) {
    argv.push_back(arg);
  }
  const std::string config_file = state.value("config_file", "");
  if (!config_file.empty()) argv.push_back("--config-file=" + config_file);
  const std::string unit_root = state.value("unit_root", "");
  const auto unit_hosts = unit_root.empty() ? std::vector<std::string>{} : unit_host_flags(dir, unit_root);
  if (!unit_hosts.empty()) {
    // As under systemd: the unit's flags are passed whatever daemon.json says.
    argv.insert(argv.end(), unit_hosts.begin(), unit_hosts.end());
  } else if (!config_lists_hosts(config_file)) {
    argv.push_back("-H=unix://" + dir + "/docker.sock");
  }
  if (state.value("vfs", false)) argv.push_back("--storage-driver=vfs");
  for (const auto& extra : state.value("extra_args", std::vector<std::string>{})) argv.push_back(extra);
  return argv;
}

pid_t current_pid(const std::string& dir) {
  for (const char* file : {"/dockerd.pid", "/launched.pid"}) {
    try {
      const int pid = std::stoi(read_text(dir + file));
      if (host::alive(pid)) return pid;
    } catch (const std::exception&) {
    }
  }
  return 0;
}

bool storage_driver_failed(const std::string& log) {
  for (const char* sign : {"overlay", "graphdriver", "storage-driver", "storage driver"}) {
    if (log.find(sign) != std::string::npos) return true;
  }
  return false;
}

enum class Outcome { ready, died, timed_out };

Outcome wait_ready(const std::string& dir, pid_t pid, std::chrono::seconds timeout) {
  auto client = agent::engine::EngineClient::for_unix_socket(dir + "/docker.sock", {.timeout = 2s});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!host::alive(pid)) return Outcome::died;
    if (client && client->ping()) return Outcome::ready;
    std::this_thread::sleep_for(100ms);
  }
  return Outcome::timed_out;
}

Result<Outcome> launch_once(const std::string& dir, const nlohmann::json& state) {
  auto pid = host::spawn_detached(launch_argv(dir, state), dir + "/dockerd.log");
  if (!pid) return pid.error();
  std::ofstream(dir + "/launched.pid") << *pid;
  return wait_ready(dir, *pid, std::chrono::seconds(state.value("ready_timeout_s", 60)));
}

}  // namespace

Result<void> start(const std::string& dir) {
  auto state = load_state(dir);
  if (!state) return state.error();
  if (current_pid(dir) != 0) return make_error("already_running", "dockerd in " + dir + " is running");
  auto outcome = launch_once(dir, *state);
  if (!outcome) return outcome.error();
  if (*outcome == Outcome::died && !state->value("vfs", false) &&
      storage_driver_failed(host::file_tail(dir + "/dockerd.log", 4000))) {
    // Overlay may not work on this file system (e.g. overlay on overlay): vfs always does.
    (*state)["vfs"] = true;
    save_state(dir, *state);
    host::kill_daemons_mentioning(dir);
    host::unmount_below(dir + "/data");
    outcome = launch_once(dir, *state);
    if (!outcome) return outcome.error();
  }
  if (*outcome == Outcome::ready) return ok();
  const std::string what = *outcome == Outcome::died ? "exited during start-up"
                                                     : "did not answer /_ping in time";
  (void)stop(dir);
  return make_error("dockerd_start_failed",
                    "dockerd in " + dir + " " + what + ": " + host::file_tail(dir + "/dockerd.log", 1500));
}

Result<void> stop(const std::string& dir) {
  const pid_t pid = current_pid(dir);
  const bool stopped = host::terminate(pid, 20s);
  host::kill_daemons_mentioning(dir);  // its managed containerd, if dockerd was killed
  if (!stopped) return make_error("dockerd_stop_failed", "dockerd pid " + std::to_string(pid) + " survived SIGKILL");
  return ok();
}

Result<void> restart(const std::string& dir) {
  auto stopped = stop(dir);
  if (!stopped) return stopped;
  return start(dir);
}

}  // namespace phoenix::test::dockerd_control
