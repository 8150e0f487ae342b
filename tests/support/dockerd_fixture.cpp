#include "tests/support/dockerd_fixture.hpp"

#include "tests/support/host_commands.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string_view>

#ifndef PHOENIX_DOCKERD_CTL
#error "PHOENIX_DOCKERD_CTL must name the phoenix-test-dockerd-ctl executable"
#endif

namespace phoenix::test {
namespace {

const std::vector<std::string> kIpPaths = {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"};
const std::vector<std::string> kDockerdPaths = {"/usr/sbin/dockerd", "/usr/bin/dockerd"};
const std::vector<std::string> kNsenterPaths = {"/usr/bin/nsenter", "/bin/nsenter", "/usr/sbin/nsenter"};

std::string ip_tool() { return host::find_executable(kIpPaths); }

// Holds an exclusive lock on a host-wide file while test networks are picked and made,
// so concurrent test processes never choose the same 10.231.K.0/24.
class NetworkLock {
 public:
  NetworkLock() : fd_(::open("/run/phoenix-test-network.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~NetworkLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  NetworkLock(const NetworkLock&) = delete;
  NetworkLock& operator=(const NetworkLock&) = delete;

 private:
  int fd_;
};

// A third octet K such that no local interface has an address in 10.231.K.0/24.
int free_test_subnet() {
  std::set<int> used;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
      if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
      const auto* in = reinterpret_cast<const sockaddr_in*>(static_cast<const void*>(it->ifa_addr));
      const uint32_t a = ntohl(in->sin_addr.s_addr);
      if ((a >> 16) == ((10u << 8) | 231u)) used.insert(static_cast<int>((a >> 8) & 0xff));
    }
    ::freeifaddrs(list);
  }
  for (int k = 1; k < 255; ++k) {
    if (!used.contains(k)) return k;
  }
  throw std::runtime_error("no free 10.231.K.0/24 test subnet left");
}

std::string temp_log() {
  char pattern[] = "/tmp/phx-netlog-XXXXXX";
  const int fd = ::mkstemp(pattern);
  if (fd >= 0) ::close(fd);
  return pattern;
}

}  // namespace

TestBridge::TestBridge(std::string name, std::string host_cidr)
    : name_(std::move(name)), host_cidr_(std::move(host_cidr)) {
  const std::string ip = ip_tool();
  const std::string log = temp_log();
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {ip, "link", "add", name_, "type", "bridge"},
           {ip, "addr", "add", host_cidr_, "dev", name_},
           {ip, "link", "set", name_, "up"}}) {
    auto done = host::run(argv, log);
    if (!done) {
      (void)host::run({ip, "link", "del", name_}, log);
      std::filesystem::remove(log);
      throw std::runtime_error("test bridge " + name_ + ": " + done.error().message);
    }
  }
  std::filesystem::remove(log);
}

TestBridge::~TestBridge() { (void)host::run({ip_tool(), "link", "del", name_}, "/dev/null"); }

std::string DockerdFixture::why_unavailable() {
  if (::geteuid() != 0) return "needs root to run a real dockerd (CI runs these as root)";
  if (host::find_executable(kDockerdPaths).empty()) return "dockerd not installed (apt-get install docker.io)";
  if (host::find_executable(kNsenterPaths).empty()) return "nsenter not installed (util-linux)";
  if (ip_tool().empty()) return "ip not installed (iproute2)";
  if (::access(PHOENIX_DOCKERD_CTL, X_OK) != 0) return std::string(PHOENIX_DOCKERD_CTL) + " not built";
  return {};
}

bool DockerdFixture::required() {
  const char* value = std::getenv("PHOENIX_REQUIRE_DOCKERD");
  return value != nullptr && std::string_view(value) == "1";
}

DockerdFixture::DockerdFixture(DockerdOptions options) : options_(std::move(options)) {
  static std::atomic<int> counter{0};
  id_ = std::to_string(::getpid()) + "x" + std::to_string(++counter);
  char pattern[] = "/tmp/phxd-XXXXXX";  // short: unix socket paths are limited to 107 bytes
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  if (options_.own_network_namespace) {
    netns_ = "phx-" + id_;
    veth_host_ = "phvh" + id_;
  }
  nlohmann::json state = {{"name", options_.name},
                          {"dockerd", host::find_executable(kDockerdPaths)},
                          {"nsenter", host::find_executable(kNsenterPaths)},
                          {"netns", netns_},
                          {"config_file", config_file()},
                          {"unit_root", options_.unit_root},
                          {"containerd_namespace", "phx-" + id_},
                          {"extra_args", options_.extra_args},
                          {"vfs", false},
                          {"ready_timeout_s", options_.ready_timeout.count()}};
  std::ofstream(dir_ + "/fixture.json") << state.dump(2);
  if (options_.config_file.empty() && !options_.daemon_json.empty()) {
    std::ofstream(dir_ + "/daemon.json") << options_.daemon_json;
  }
  std::error_code ec;
  std::filesystem::create_symlink(PHOENIX_DOCKERD_CTL, restart_command(), ec);
}

DockerdFixture::~DockerdFixture() { tear_down(); }

std::string DockerdFixture::config_file() const {
  if (!options_.config_file.empty()) return options_.config_file;
  return options_.daemon_json.empty() ? std::string() : dir_ + "/daemon.json";
}

std::string DockerdFixture::address() const {
  return address_cidr_.substr(0, address_cidr_.find('/'));
}

int DockerdFixture::pid() const {
  std::ifstream in(pidfile());
  int pid = 0;
  in >> pid;
  return host::alive(pid) ? pid : 0;
}

std::string DockerdFixture::log_tail(std::size_t max_bytes) const {
  return host::file_tail(log_path(), max_bytes);
}

Result<void> DockerdFixture::set_up_network() {
  NetworkLock lock;
  const std::string ip = ip_tool();
  std::string bridge = options_.bridge;
  address_cidr_ = options_.address_cidr;
  if (bridge.empty()) {
    const int k = free_test_subnet();
    try {
      own_bridge_ = std::make_unique<TestBridge>("phb" + id_, "10.231." + std::to_string(k) + ".1/24");
    } catch (const std::exception& e) {
      return make_error("network_setup_failed", e.what());
    }
    bridge = own_bridge_->name();
    address_cidr_ = "10.231." + std::to_string(k) + ".2/24";
  } else if (address_cidr_.empty()) {
    return make_error("network_setup_failed", "with a shared bridge, give address_cidr");
  }
  const std::string veth_ns = "phvn" + id_;
  const std::string log = dir_ + "/network.log";
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {ip, "netns", "add", netns_},
           {ip, "link", "add", veth_host_, "type", "veth", "peer", "name", veth_ns, "netns", netns_},
           {ip, "link", "set", veth_host_, "master", bridge, "up"},
           {ip, "-n", netns_, "addr", "add", address_cidr_, "dev", veth_ns},
           {ip, "-n", netns_, "link", "set", veth_ns, "up"},
           {ip, "-n", netns_, "link", "set", "lo", "up"}}) {
    auto done = host::run(argv, log);
    if (!done) return make_error("network_setup_failed", done.error().message);
  }
  network_ready_ = true;
  return ok();
}

Result<void> DockerdFixture::start() {
  if (!netns_.empty() && !network_ready_) {
    auto network = set_up_network();
    if (!network) return network;
  }
  return dockerd_control::start(dir_);
}

Result<void> DockerdFixture::stop() { return dockerd_control::stop(dir_); }

Result<void> DockerdFixture::restart() { return dockerd_control::restart(dir_); }

void DockerdFixture::tear_down() {
  (void)dockerd_control::stop(dir_);
  host::kill_daemons_mentioning(dir_);
  host::unmount_below(dir_);
  if (!netns_.empty()) {
    const std::string ip = ip_tool();
    (void)host::run({ip, "netns", "delete", netns_}, "/dev/null");
    (void)host::run({ip, "link", "del", veth_host_}, "/dev/null");  // usually gone with the netns
  }
  own_bridge_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace phoenix::test
