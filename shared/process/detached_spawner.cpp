#include "shared/process/detached_spawner.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace phoenix::process {
namespace {

constexpr int kStillRunning = -1000;

class RealDetachedChild : public DetachedChild {
 public:
  explicit RealDetachedChild(pid_t pid) : pid_(pid) {}
  int pid() const override { return pid_; }
  std::optional<int> exit_code() const override {
    const int code = exit_code_.load();
    if (code == kStillRunning) return std::nullopt;
    return code;
  }
  void set_exit_code(int code) { exit_code_.store(code); }

 private:
  pid_t pid_;
  std::atomic<int> exit_code_{kStillRunning};
};

// RAII for the posix_spawn attribute objects and the log descriptor.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  int log_fd = -1;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (log_fd >= 0) ::close(log_fd);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra_env) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view kv(*entry);
    const std::string_view key = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (const auto& [k, v] : extra_env) overridden = overridden || k == key;
    if (!overridden) env.emplace_back(kv);
  }
  for (const auto& [k, v] : extra_env) env.push_back(k + "=" + v);
  return env;
}

// posix_spawn rather than fork(): safe in a multi-threaded hub (nothing runs between fork
// and exec in our code), and POSIX_SPAWN_SETSID gives the child its own session.
Result<std::shared_ptr<DetachedChild>> RealDetachedSpawner::spawn(const DetachedOptions& options) {
  if (options.argv.empty() || options.argv[0].empty() || options.argv[0][0] != '/') {
    return make_error("spawn_failed", "the program must be given by absolute path");
  }
  const std::string& program = options.argv[0];
  if (::access(program.c_str(), F_OK) != 0) {
    return make_error("not_found", program + " does not exist: install it or fix the configured path");
  }

  SpawnSetup setup;
  setup.log_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (setup.log_fd < 0) {
    return make_error("log_failed", "cannot open log file " + options.log_path + ": " +
                                        std::strerror(errno));
  }
  posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, setup.log_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&setup.actions, setup.log_fd, STDERR_FILENO);
  // Our sockets and files are none of the child's business, and it may outlive us.
  short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
#if defined(__APPLE__)
  flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;  // only the file actions' descriptors are inherited
#else
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
#endif

  // A clean signal state: the hub may block or ignore signals (SIGPIPE) that the child
  // needs, e.g. tart run relies on SIGINT / SIGUSR2 to stop.
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGCHLD}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&setup.attr, &empty_mask);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setflags(&setup.attr, flags);

  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = child_environment(options.extra_env);
  std::vector<char*> envp;
  for (auto& kv : env_strings) envp.push_back(kv.data());
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &setup.actions, &setup.attr, argv.data(),
                               envp.data());
  if (rc != 0) {
    return make_error(rc == ENOENT ? "not_found" : "spawn_failed",
                      "cannot start " + program + ": " + std::strerror(rc));
  }

  auto child = std::make_shared<RealDetachedChild>(pid);
  // The child is ours until we exit: reap it in the background so it never lingers as a
  // zombie, and keep its exit code for whoever is watching the start.
  std::thread([child] {
    int status = 0;
    pid_t r = -1;
    do {
      r = ::waitpid(child->pid(), &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      child->set_exit_code(-1);
    } else if (WIFEXITED(status)) {
      child->set_exit_code(WEXITSTATUS(status));
    } else {
      child->set_exit_code(128 + WTERMSIG(status));
    }
  }).detach();
  return std::shared_ptr<DetachedChild>(child);
}

}  // namespace phoenix::process
