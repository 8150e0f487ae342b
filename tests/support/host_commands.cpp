#include "tests/support/host_commands.hpp"

#include "hub/netns/host_sweep.hpp"

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

// The product's own sweeping (the netns driver cleans up the same way), plus reaping: the
// fixture's rare direct children would otherwise linger as zombies.
bool alive(pid_t pid) {
  if (pid > 0) ::waitpid(pid, nullptr, WNOHANG);
  return hub::process_alive(pid);
}

bool terminate(pid_t pid, std::chrono::milliseconds grace) { return hub::terminate_process(pid, grace); }

void kill_daemons_mentioning(const std::string& dir) { hub::kill_daemons_mentioning(dir); }

void unmount_below(const std::string& dir) { hub::unmount_below(dir); }

std::string file_tail(const std::string& path, std::size_t max_bytes) {
  const std::string all = read_small(path);
  return all.size() <= max_bytes ? all : all.substr(all.size() - max_bytes);
}

}  // namespace phoenix::test::host
