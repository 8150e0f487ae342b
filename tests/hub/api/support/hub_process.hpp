#pragma once
// Integration-test fixtures: a temp directory removed on destruction, running a program to
// completion, and a real `phoenix-hub serve` child process that is always killed (and the
// fake-tart VMs it started always stopped) when the fixture goes away, also on failure.
#include <sys/types.h>

#include <chrono>
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

// Runs argv (no shell) with the current environment plus `env`; returns the exit code.
int run_program(const std::vector<std::string>& argv, const Env& env = {});

std::string read_text_file(const std::string& path);
void write_text_file(const std::string& path, const std::string& text);

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
  std::uint16_t port() const { return port_; }
  std::string log() const { return read_text_file(log_path_); }
  // Sends `signal` and waits for the exit; the exit code, or -1 when it did not exit in time.
  int terminate(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Exit code once it has exited by itself within `timeout`, else -1.
  int wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  std::uint16_t port_ = 0;
  int exit_code_ = -1;
};

}  // namespace phoenix::test
