#include "tests/support/host_commands.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace phoenix::test::host {
namespace {

std::string join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// In a forked child: only async-signal-safe calls from here to exec.
[[noreturn]] void exec_child(char* const* argv, const char* log_file) {
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int log_fd = ::open(log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (null_fd < 0 || log_fd < 0) ::_exit(126);
  ::dup2(null_fd, 0);
  ::dup2(log_fd, 1);
  ::dup2(log_fd, 2);
  ::execv(argv[0], argv);
  ::_exit(127);
}

std::string read_small(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string find_executable(const std::vector<std::string>& candidates) {
  for (const auto& path : candidates) {
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

Result<void> run(const std::vector<std::string>& argv, const std::string& log_file) {
  auto args = c_argv(argv);
  const pid_t pid = ::fork();
  if (pid < 0) return make_error("command_failed", "fork failed for " + join(argv));
  if (pid == 0) exec_child(args.data(), log_file.c_str());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return ok();
  return make_error("command_failed", "`" + join(argv) + "` failed (status " +
                                          std::to_string(status) + "): " + file_tail(log_file, 400));
}

Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::string& log_file) {
  auto args = c_argv(argv);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return make_error("spawn_failed", "pipe failed");
  const pid_t middle = ::fork();
  if (middle < 0) return make_error("spawn_failed", "fork failed for " + join(argv));
  if (middle == 0) {
    ::setsid();
    const pid_t daemon = ::fork();
    if (daemon == 0) exec_child(args.data(), log_file.c_str());
    ::write(pipe_fds[1], &daemon, sizeof daemon);
    ::_exit(daemon < 0 ? 1 : 0);
  }
  ::close(pipe_fds[1]);
  pid_t daemon = -1;
  const auto got = ::read(pipe_fds[0], &daemon, sizeof daemon);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(middle, &status, 0);
  if (got != static_cast<ssize_t>(sizeof daemon) || daemon <= 0) {
    return make_error("spawn_failed", "could not start " + join(argv));
  }
  return daemon;
}

bool alive(pid_t pid) {
  if (pid <= 0) return false;
  // Our own (rare) direct children must be reaped or they linger as zombies.
  ::waitpid(pid, nullptr, WNOHANG);
  const std::string stat = read_small("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  const auto close_paren = stat.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= stat.size() ||
         stat[close_paren + 2] != 'Z';
}

bool terminate(pid_t pid, std::chrono::milliseconds grace) {
  using namespace std::chrono_literals;
  if (!alive(pid)) return true;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (alive(pid) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  if (!alive(pid)) return true;
  ::kill(pid, SIGKILL);
  for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(50ms);
  return !alive(pid);
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
    for (int i = 0; i < 100 && alive(pid); ++i) std::this_thread::sleep_for(20ms);
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
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& point : points) ::umount2(point.c_str(), MNT_DETACH);
}

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  const std::string all = read_small(path);
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

}  // namespace phoenix::test::host
