#include "tests/hub/api/support/hub_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace phoenix::test {

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(step);
  }
  return condition();
}

namespace {

using namespace std::chrono_literals;

std::vector<std::string> merged_environment(const Env& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto key = entry.substr(0, entry.find('='));
    if (extra.count(key) == 0) out.push_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(std::vector<std::string> argv, const Env& env, const std::string& stderr_path,
            const std::string& stdout_path = {}) {
  auto environment = merged_environment(env);
  auto argv_ptrs = pointers(argv);
  auto env_ptrs = pointers(environment);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  if (!stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv_ptrs[0], &actions, nullptr, argv_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

// Polls waitpid; the exit code, 128+signal, or -1 while still running after `timeout`.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0) return -2;
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "phoenix-hub-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int run_program(const std::vector<std::string>& argv, const Env& env) {
  const pid_t pid = spawn(argv, env, "/dev/null");
  const int code = wait_for(pid, 30s);
  if (code == -1) {
    kill(pid, SIGKILL);
    wait_for(pid, 5s);
  }
  return code;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

int run_program_output(const std::vector<std::string>& argv, const std::string& stdout_path,
                       const std::string& stderr_path, const Env& env) {
  const pid_t pid = spawn(argv, env, stderr_path, stdout_path);
  const int code = wait_for(pid, 30s);
  if (code == -1) {
    kill(pid, SIGKILL);
    wait_for(pid, 5s);
  }
  return code;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const Env& env, std::string log_path)
    : log_path_(std::move(log_path)) {
  pid_ = spawn(argv, env, log_path_);
}

int ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ < 0) return exit_code_;
  exit_code_ = wait_for(pid_, timeout);
  if (exit_code_ >= 0) pid_ = -1;
  return exit_code_;
}

int ChildProcess::terminate(int signal, std::chrono::milliseconds timeout) {
  if (pid_ < 0) return exit_code_;
  kill(pid_, signal);
  return wait_exit(timeout);
}

ChildProcess::~ChildProcess() {
  if (pid_ < 0) return;
  // A hub with the netns driver stops its VMs (agents, dockerds, namespaces) on SIGTERM:
  // give it the time that takes, so a failed test still leaves nothing behind.
  if (terminate(SIGTERM, 60s) < 0) {
    kill(pid_, SIGKILL);
    wait_for(pid_, 5s);
  }
}

int init_hub_state(const std::string& state_dir, const std::string& config_path, const Env& env) {
  return run_program({PHOENIX_HUB_BINARY, "init", "--state-dir", state_dir, "--config", config_path}, env);
}

HubProcess::HubProcess(const std::vector<std::string>& args, const Env& env, std::string log_path,
                       std::chrono::milliseconds ready_timeout)
    : log_path_(std::move(log_path)) {
  std::vector<std::string> argv{PHOENIX_HUB_BINARY, "serve"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = spawn(argv, env, log_path_);
  // The API's line; the agent endpoint's ("agent endpoint listening on …") comes before it.
  const std::regex listening(R"(phoenix-hub \S+ listening on 127\.0\.0\.1:(\d+))");
  const std::regex agent_listening(R"(agent endpoint listening on 127\.0\.0\.1:(\d+))");
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const auto text = log();
    if (std::regex_search(text, m, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      if (std::regex_search(text, m, agent_listening)) agent_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
      return;
    }
    exit_code_ = wait_for(pid_, 0ms);
    if (exit_code_ >= 0) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
}

int HubProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ < 0) return exit_code_;
  exit_code_ = wait_for(pid_, timeout);
  if (exit_code_ >= 0) pid_ = -1;
  return exit_code_;
}

int HubProcess::terminate(int signal, std::chrono::milliseconds timeout) {
  if (pid_ < 0) return exit_code_;
  kill(pid_, signal);
  return wait_exit(timeout);
}

HubProcess::~HubProcess() {
  if (pid_ < 0) return;
  // A hub with the netns driver stops its VMs on SIGTERM, a swarm manager's dockerd alone
  // taking seconds: 5 s was too short under load, and the SIGKILL then left namespaces behind.
  if (terminate(SIGTERM, 60s) < 0) {
    kill(pid_, SIGKILL);
    wait_for(pid_, 5s);
  }
}

}  // namespace phoenix::test
