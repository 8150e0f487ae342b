#include "hub/netns/host_sweep.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace phoenix::hub {
namespace {
std::string read_small(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return false;
  // A zombie still answers kill(0); it is gone for our purposes.
  const std::string stat = read_small("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

bool terminate_process(pid_t pid, std::chrono::milliseconds grace) {
  using namespace std::chrono_literals;
  if (!process_alive(pid)) return true;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (process_alive(pid) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  if (!process_alive(pid)) return true;
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100 && process_alive(pid); ++i) std::this_thread::sleep_for(20ms);
  return !process_alive(pid);
}

void kill_daemons_mentioning(const std::string& dir) {
  using namespace std::chrono_literals;
  std::error_code ec;
  std::vector<pid_t> victims;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = std::stoi(name);
    if (pid == ::getpid()) continue;
    std::error_code link_ec;
    const std::string exe = std::filesystem::read_symlink(entry.path() / "exe", link_ec).filename();
    if (!(exe.starts_with("containerd") || exe.starts_with("dockerd") || exe == "docker-proxy")) continue;
    std::string cmdline = read_small(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(dir) != std::string::npos) victims.push_back(pid);
  }
  for (pid_t pid : victims) ::kill(pid, SIGKILL);
  for (pid_t pid : victims) {
    for (int i = 0; i < 100 && process_alive(pid); ++i) std::this_thread::sleep_for(20ms);
  }
}

void unmount_below(const std::string& dir) {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::vector<std::string> points;
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, devices, root, point;
    fields >> id >> parent >> devices >> root >> point;
    if (point == dir || point.starts_with(dir + "/")) points.push_back(point);
  }
  std::sort(points.begin(), points.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& point : points) ::umount2(point.c_str(), MNT_DETACH);
}

pid_t read_live_pid(const std::string& path, const std::string& must_mention) {
  pid_t pid = 0;
  try {
    pid = std::stoi(read_small(path));
  } catch (const std::exception&) {
    return 0;
  }
  if (!process_alive(pid)) return 0;
  std::string cmdline = read_small("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  return cmdline.find(must_mention) != std::string::npos ? pid : 0;
}

}  // namespace phoenix::hub
