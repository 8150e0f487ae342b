#pragma once
// Integration-test fixtures: a temp directory removed on destruction, running a program to
// completion, and a real `phoenix-hub serve` child process that is always killed (and the
// fake-tart VMs it started always stopped) when the fixture goes away, also on failure.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace phoenix::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using Env = std::map<std::string, std::string>;

// A TCP port that was free a moment ago (for processes that need a fixed port up front: the
// hub's agent endpoint is in the tokens, and a restart must come back on the same one).
std::uint16_t free_port();

// Polls `condition` every `step` until it holds or `timeout` passes; its last answer.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(100));

// Runs argv (no shell) with the current environment plus `env`; returns the exit code.
int run_program(const std::vector<std::string>& argv, const Env& env = {});

// Same, with stdout to `stdout_path` and stderr to `stderr_path`.
int run_program_output(const std::vector<std::string>& argv, const std::string& stdout_path,
                       const std::string& stderr_path, const Env& env = {});

std::string read_text_file(const std::string& path);
void write_text_file(const std::string& path, const std::string& text);

// Any long-running child (stderr to `log_path`), SIGTERMed (then SIGKILLed) on destruction.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const Env& env, std::string log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  std::string log() const { return read_text_file(log_path_); }
  bool running() { return wait_exit(std::chrono::milliseconds(0)) < 0; }
  int terminate(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  int wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  int exit_code_ = -1;
};


// `phoenix-hub init --state-dir DIR --config F` (serve refuses an uninitialised state dir).
int init_hub_state(const std::string& state_dir, const std::string& config_path, const Env& env = {});

class HubProcess {
 public:
  // Starts `phoenix-hub serve ARGS...`, stderr to `log_path`, and waits for its
  // "listening on 127.0.0.1:PORT" line (or for it to exit).
  HubProcess(const std::vector<std::string>& args, const Env& env, std::string log_path,
             std::chrono::milliseconds ready_timeout = std::chrono::seconds(15));
  ~HubProcess();
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  bool ready() const { return port_ != 0; }
  pid_t pid() const { return pid_; }  // for /proc/PID/stat (CPU)
  std::uint16_t port() const { return port_; }          // the HTTP API
  std::uint16_t agent_port() const { return agent_port_; }  // the agent endpoint
  std::string log() const { return read_text_file(log_path_); }
  // Sends `signal` and waits for the exit; the exit code, or -1 when it did not exit in time.
  int terminate(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Exit code once it has exited by itself within `timeout`, else -1.
  int wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::uint16_t port_ = 0;
  std::uint16_t agent_port_ = 0;
  int exit_code_ = -1;
};

}  // namespace phoenix::test
