#include "hub/netns/netns_dockerd.hpp"

#include "shared/core/safe_text.hpp"

#include "hub/netns/host_sweep.hpp"
#include "shared/process/detached_spawner.hpp"

#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace phoenix::hub {
namespace {
using namespace std::chrono_literals;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool config_lists_hosts(const std::string& config_file) {
  const auto config = nlohmann::json::parse(read_text(config_file), nullptr, false);
  return !config.is_discarded() && config.is_object() && config.contains("hosts");
}

std::string tail_of(const std::string& path, std::size_t max) {
  const std::string all = read_text(path);
  return all.size() <= max ? all : all.substr(all.size() - max);
}
}  // namespace

NetnsDockerd NetnsDockerd::for_vm(const NetnsVmLayout& vm, std::string nsenter, std::string dockerd) {
  NetnsDockerd out;
  out.nsenter = std::move(nsenter);
  out.dockerd = std::move(dockerd);
  out.netns_path = vm.netns_path;
  out.netns = vm.netns;
  out.runtime = vm.runtime;
  out.config_file = vm.root + "/etc/docker/daemon.json";
  out.socket = vm.docker_socket;
  out.log_file = vm.dir + "/dockerd.log";
  return out;
}

Argv NetnsDockerd::argv(bool lists_hosts) const {
  Argv out{nsenter, "--net=" + netns_path, "--", dockerd,
           "--data-root=" + runtime + "/data", "--exec-root=" + runtime + "/exec",
           "--pidfile=" + runtime + "/dockerd.pid", "--config-file=" + config_file,
           // No bridge network or iptables rules: the namespace's veth is the VM's network,
           // and the host's firewall is none of a test VM's business. vfs works on any file
           // system (overlay on overlay does not), and the demo pulls no images.
           "--bridge=none", "--iptables=false", "--storage-driver=vfs",
           "--containerd-namespace=" + netns, "--containerd-plugins-namespace=" + netns + "-plugins"};
  if (!lists_hosts) out.push_back("-H=unix://" + socket);
  return out;
}

Result<void> save_dockerd_settings(const std::string& vm_dir, const NetnsDockerd& d) {
  const nlohmann::json j = {{"nsenter", d.nsenter},       {"dockerd", d.dockerd}, {"netns_path", d.netns_path},
                            {"netns", d.netns},           {"runtime", d.runtime}, {"config_file", d.config_file},
                            {"socket", d.socket},         {"log_file", d.log_file}};
  const std::string path = vm_dir + "/dockerd.json";
  {
    std::ofstream out(path + ".tmp");
    out << dump_json(j, 2) << "\n";
    out.close();
    if (!out) return make_error("io_error", "cannot write " + path + ".tmp");
  }
  std::error_code ec;
  std::filesystem::rename(path + ".tmp", path, ec);
  if (ec) return make_error("io_error", "cannot write " + path + ": " + ec.message());
  return ok();
}

Result<NetnsDockerd> load_dockerd_settings(const std::string& vm_dir) {
  const auto j = nlohmann::json::parse(read_text(vm_dir + "/dockerd.json"), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error("not_a_netns_vm", vm_dir + "/dockerd.json is missing or damaged: is " + vm_dir +
                                            " a running netns VM's directory?");
  }
  NetnsDockerd d;
  const auto text = [&j](const char* key) { return j.value(key, std::string()); };
  d.nsenter = text("nsenter");
  d.dockerd = text("dockerd");
  d.netns_path = text("netns_path");
  d.netns = text("netns");
  d.runtime = text("runtime");
  d.config_file = text("config_file");
  d.socket = text("socket");
  d.log_file = text("log_file");
  if (d.nsenter.empty() || d.dockerd.empty() || d.runtime.empty() || d.socket.empty()) {
    return make_error("not_a_netns_vm", vm_dir + "/dockerd.json lacks launch settings");
  }
  return d;
}

bool dockerd_answers(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    ::close(fd);
    return false;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  bool answered = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buffer[64] = {};
      const ssize_t n = ::recv(fd, buffer, sizeof buffer - 1, 0);
      answered = n > 12 && std::string_view(buffer, static_cast<std::size_t>(n)).find(" 200 ") != std::string_view::npos;
    }
  }
  ::close(fd);
  return answered;
}

Result<void> start_netns_dockerd(const NetnsDockerd& d, std::chrono::seconds timeout) {
  std::error_code ec;
  std::filesystem::create_directories(d.runtime, ec);
  if (ec) return make_error("dockerd_start_failed", "cannot create " + d.runtime + ": " + ec.message());
  process::RealDetachedSpawner spawner;
  auto child = spawner.spawn({d.argv(config_lists_hosts(d.config_file)), d.log_file, {}});
  if (!child) return make_error("dockerd_start_failed", child.error().message);
  std::ofstream(d.runtime + "/launched.pid") << (*child)->pid();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if ((*child)->exit_code()) break;
    if (dockerd_answers(d.socket)) return ok();
    std::this_thread::sleep_for(100ms);
  }
  const bool died = (*child)->exit_code().has_value();
  stop_netns_dockerd(d);
  return make_error("dockerd_start_failed", "dockerd in " + d.netns + (died ? " exited during start-up" : " did not answer in time") +
                                                ": " + tail_of(d.log_file, 1200));
}

void stop_netns_dockerd(const NetnsDockerd& d) {
  for (const char* file : {"/dockerd.pid", "/launched.pid"}) {
    if (const pid_t pid = read_live_pid(d.runtime + file, d.runtime)) terminate_process(pid, 20s);
  }
  kill_daemons_mentioning(d.runtime);  // its managed containerd and shims
  unmount_below(d.runtime);
}

Result<void> restart_netns_dockerd(const std::string& vm_dir, std::chrono::seconds timeout) {
  auto settings = load_dockerd_settings(vm_dir);
  if (!settings) return settings.error();
  stop_netns_dockerd(*settings);
  return start_netns_dockerd(*settings, timeout);
}

}  // namespace phoenix::hub
