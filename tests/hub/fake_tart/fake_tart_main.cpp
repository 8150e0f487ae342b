// fake-tart: a stand-in for the tart CLI, for tests on Linux. See README.md.
#include "tests/hub/fake_tart/fake_tart_store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace phoenix::fake_tart {
namespace {

// swift-argument-parser's exit code for usage errors (EX_USAGE).
constexpr int kUsageError = 64;

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--format" -> "json"; flags -> ""
};

// Thrown only inside this program for usage errors; main() turns it into exit 64.
struct UsageError {
  std::string message;
};

const std::map<std::string, bool>& known_options() {
  // option -> takes a value
  static const std::map<std::string, bool> options = {
      {"--format", true},        {"--source", true}, {"-q", false},     {"--quiet", false},
      {"--timeout", true},       {"--wait", true},   {"--no-graphics", false},
      {"--linux", false},        {"--cpu", true},    {"--memory", true}, {"--disk-size", true}};
  return options;
}

Args parse_args(int argc, char** argv, int first) {
  Args args;
  for (int i = first; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.size() > 1 && arg[0] == '-') {
      auto known = known_options().find(arg);
      if (known == known_options().end()) throw UsageError{"Unknown option '" + arg + "'"};
      if (known->second) {
        if (i + 1 >= argc) throw UsageError{"Missing value for '" + arg + " <value>'"};
        args.options[arg] = argv[++i];
      } else {
        args.options[arg] = "";
      }
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

const std::string& require_name(const Args& args, std::size_t index = 0) {
  if (args.positional.size() <= index) throw UsageError{"Missing expected argument '<name>'"};
  return args.positional[index];
}

int int_option(const Args& args, const std::string& key, int fallback) {
  auto it = args.options.find(key);
  if (it == args.options.end()) return fallback;
  char* end = nullptr;
  const long value = std::strtol(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || value < 0 || value > 1000000) {
    throw UsageError{"The value '" + it->second + "' is invalid for '" + key + " <" +
                     key.substr(2) + ">'"};
  }
  return static_cast<int>(value);
}

bool json_format(const Args& args) {
  auto it = args.options.find("--format");
  if (it == args.options.end() || it->second == "text") return false;
  if (it->second == "json") return true;
  throw UsageError{"The value '" + it->second + "' is invalid for '--format <format>'"};
}

int fail(const std::string& message, int code) {
  std::cerr << message << std::endl;
  return code;
}

std::string not_found(const std::string& name) {
  return "the specified VM \"" + name + "\" does not exist";
}

// Swift's JSONEncoder with .prettyPrinted: two-space indent and `"Key" : value`.
std::string pretty_object(const std::vector<std::pair<std::string, nlohmann::json>>& fields,
                          const std::string& indent) {
  std::string out = indent + "{\n";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    out += indent + "  " + nlohmann::json(fields[i].first).dump() + " : " + fields[i].second.dump();
    out += (i + 1 < fields.size() ? ",\n" : "\n");
  }
  return out + indent + "}";
}

std::string state_of(const VmFacts& vm) { return vm.running ? "running" : "stopped"; }

int cmd_list(const Store& store, const Args& args) {
  const bool as_json = json_format(args);
  const std::string source = args.options.count("--source") ? args.options.at("--source") : "";
  if (!source.empty() && source != "local" && source != "oci") {
    throw UsageError{"The value '" + source + "' is invalid for '--source <source>'"};
  }
  std::vector<VmFacts> entries;
  if (source.empty() || source == "local") entries = store.local_vms();
  if (source.empty() || source == "oci") {
    for (auto& image : store.oci_images()) entries.push_back(image);
  }
  if (args.options.count("-q") || args.options.count("--quiet")) {
    for (const auto& vm : entries) std::cout << vm.name << "\n";
    return 0;
  }
  if (!as_json) {
    std::cout << "Source\tName\tDisk\tSize\tAccessed\tState\n";
    for (const auto& vm : entries) {
      std::cout << (vm.source == "local" ? "local" : "OCI") << "\t" << vm.name << "\t" << vm.disk_gb
                << "\t" << std::lround(vm.size_gb) << "\t" << vm.accessed << "\t" << state_of(vm)
                << "\n";
    }
    return 0;
  }
  std::string out = "[\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const VmFacts& vm = entries[i];
    out += pretty_object({{"Source", vm.source},
                          {"Name", vm.name},
                          {"Disk", vm.disk_gb},
                          {"Size", std::lround(vm.size_gb)},
                          {"Accessed", vm.accessed},
                          {"Running", vm.running},
                          {"State", state_of(vm)}},
                         "  ");
    out += (i + 1 < entries.size() ? ",\n" : "\n");
  }
  if (entries.empty()) out += "\n";
  std::cout << out << "]\n";
  return 0;
}

int cmd_get(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  const bool as_json = json_format(args);
  auto vm = store.facts(name);
  if (!vm) return fail(not_found(name), 2);
  char size[32];
  std::snprintf(size, sizeof size, "%.3f", vm->size_gb);
  if (!as_json) {
    std::cout << "OS\tCPU\tMemory\tDisk\tSize\tDisplay\tState\n"
              << vm->os << "\t" << vm->cpu << "\t" << vm->memory_mb << "\t" << vm->disk_gb << "\t"
              << size << "\t1024x768\t" << state_of(*vm) << "\n";
    return 0;
  }
  // The real `tart get` prints Size as a string with three decimals.
  std::cout << pretty_object({{"CPU", vm->cpu},
                              {"Disk", vm->disk_gb},
                              {"DiskFormat", "raw"},
                              {"Display", "1024x768"},
                              {"Memory", vm->memory_mb},
                              {"OS", vm->os},
                              {"Running", vm->running},
                              {"Size", size},
                              {"State", state_of(*vm)}},
                             "")
            << "\n";
  return 0;
}

int cmd_run(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  if (!store.exists(name)) return fail(not_found(name), 2);
  if (const char* failure = std::getenv("FAKE_TART_RUN_FAIL"); failure && *failure) {
    return fail(std::string(failure) == "1" ? "fake-tart: the VM failed to start" : failure, 1);
  }
  // Block the stop signals before taking the lock, so none can slip in unhandled.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGUSR2);
  sigaddset(&stop_signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &stop_signals, nullptr);

  // Held for this process's life. Never open/close config.json again here: closing any
  // descriptor of the file would drop an fcntl lock.
  const int fd = ::open(store.config_path(name).c_str(), O_RDWR | O_CLOEXEC);
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fd < 0 || ::fcntl(fd, F_SETLK, &lock) != 0) {
    return fail("VM \"" + name + "\" is already running!", 2);
  }
  store.touch_accessed(name);
  std::cout << "fake-tart: VM " << name << " is running (pid " << ::getpid() << ")" << std::endl;

  int received = 0;
  sigwait(&stop_signals, &received);
  std::cout << "fake-tart: VM " << name << " stopped by "
            << (received == SIGUSR2 ? "a graceful stop request" : "signal " + std::to_string(received))
            << std::endl;
  return 0;
}

int cmd_stop(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  const int timeout_s = int_option(args, "--timeout", 30);
  if (!store.exists(name)) return fail(not_found(name), 2);
  auto pid = store.running_pid(name);
  if (!pid) return fail("VM \"" + name + "\" is not running", 2);
  ::kill(*pid, SIGINT);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (store.running_pid(name) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (store.running_pid(name)) {
    ::kill(*pid, SIGKILL);
    for (int i = 0; i < 250 && store.running_pid(name); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return 0;
}

// A fixed address per name, so tests can predict it: 192.168.64.(2 + hash % 250).
std::string fake_ip(const std::string& name) {
  unsigned hash = 5381;
  for (unsigned char c : name) hash = hash * 33 + c;
  return "192.168.64." + std::to_string(2 + hash % 250);
}

int cmd_ip(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  const int wait_s = int_option(args, "--wait", 0);
  if (!store.exists(name)) return fail(not_found(name), 2);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  while (!store.running_pid(name)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail("no IP address found, is your VM running?", 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::cout << fake_ip(name) << "\n";
  return 0;
}

int cmd_create(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  if (!args.options.count("--linux")) {
    throw UsageError{"fake-tart only creates Linux VMs: pass --linux"};
  }
  const int disk_gb = int_option(args, "--disk-size", 20);
  const std::string error = store.create(name, "linux", disk_gb);
  return error.empty() ? 0 : fail(error, 1);
}

int cmd_clone(const Store& store, const Args& args) {
  const std::string& source = require_name(args, 0);
  if (args.positional.size() < 2) throw UsageError{"Missing expected argument '<new-name>'"};
  if (!store.exists(source)) return fail(not_found(source), 2);
  const std::string error = store.clone(source, args.positional[1]);
  return error.empty() ? 0 : fail(error, 1);
}

int cmd_delete(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  if (!store.exists(name)) return fail(not_found(name), 2);
  if (store.running_pid(name)) return fail("VM \"" + name + "\" is running", 1);
  const std::string error = store.remove(name);
  return error.empty() ? 0 : fail(error, 1);
}

int cmd_set(const Store& store, const Args& args) {
  const std::string& name = require_name(args);
  if (!store.exists(name)) return fail(not_found(name), 2);
  std::optional<int> cpu;
  std::optional<long long> memory;
  if (args.options.count("--cpu")) cpu = int_option(args, "--cpu", 0);
  if (args.options.count("--memory")) memory = int_option(args, "--memory", 0);
  const std::string error = store.set(name, cpu, memory);
  return error.empty() ? 0 : fail(error, 1);
}

// Test hooks: record the invocation, then simulate a slow tart.
void apply_test_hooks(int argc, char** argv) {
  if (const char* log_path = std::getenv("FAKE_TART_ARGV_LOG"); log_path && *log_path) {
    std::string line;
    for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
    line += "\n";
    // One write() with O_APPEND: lines from concurrent invocations never interleave.
    const int fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      [[maybe_unused]] auto written = ::write(fd, line.data(), line.size());
      ::close(fd);
    }
  }
  if (const char* delay = std::getenv("FAKE_TART_DELAY_MS"); delay && *delay) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoll(delay)));
  }
}

std::string tart_home() {
  if (const char* home = std::getenv("TART_HOME"); home && *home) return home;
  const char* user_home = std::getenv("HOME");
  return std::string(user_home ? user_home : ".") + "/.tart";
}

constexpr const char* kUsage =
    "USAGE: fake-tart <subcommand>\n"
    "SUBCOMMANDS: create, clone, run, set, get, list, ip, stop, delete\n";

}  // namespace
}  // namespace phoenix::fake_tart

int main(int argc, char** argv) {
  using namespace phoenix::fake_tart;
  apply_test_hooks(argc, argv);
  if (argc < 2) {
    std::cerr << kUsage;
    return kUsageError;
  }
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  static const std::map<std::string, std::function<int(const Store&, const Args&)>> commands = {
      {"list", cmd_list},     {"get", cmd_get},       {"run", cmd_run},
      {"stop", cmd_stop},     {"ip", cmd_ip},         {"create", cmd_create},
      {"clone", cmd_clone},   {"delete", cmd_delete}, {"set", cmd_set}};
  auto it = commands.find(command);
  try {
    if (it == commands.end()) throw UsageError{"Unexpected argument '" + command + "'"};
    const Store store(tart_home());
    return it->second(store, parse_args(argc, argv, 2));
  } catch (const UsageError& error) {
    std::cerr << "Error: " << error.message << "\n" << kUsage;
    return kUsageError;
  }
}
