#include "tests/hub/fake_tart/fake_tart_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace phoenix::fake_tart {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr long long kGiB = 1024LL * 1024 * 1024;

std::optional<json> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc = json::parse(buffer.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

void fill_disk_facts(const std::string& dir, VmFacts& vm) {
  struct stat st {};
  if (::stat((dir + "/disk.img").c_str(), &st) == 0) {
    vm.disk_gb = static_cast<int>(st.st_size / kGiB);
    vm.size_gb = static_cast<double>(st.st_blocks) * 512.0 / static_cast<double>(kGiB);
  }
  // VMs: nvram.bin, touched by run. Cached images have none: their config.json then.
  if (::stat((dir + "/nvram.bin").c_str(), &st) == 0 ||
      ::stat((dir + "/config.json").c_str(), &st) == 0) {
    vm.accessed = iso8601_utc(st.st_mtime);
  }
}

}  // namespace

std::string iso8601_utc(long long epoch_seconds) {
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Store::Store(std::string tart_home) : home_(std::move(tart_home)) {}

std::string Store::vm_dir(const std::string& name) const { return home_ + "/vms/" + name; }
std::string Store::config_path(const std::string& name) const {
  return vm_dir(name) + "/config.json";
}

bool Store::exists(const std::string& name) const {
  // Names with '/' would escape vms/; the real tart has no such VMs either.
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return false;
  }
  return fs::exists(config_path(name));
}

std::optional<pid_t> Store::running_pid(const std::string& name) const {
  const int fd = ::open(config_path(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const int rc = ::fcntl(fd, F_GETLK, &lock);
  ::close(fd);
  if (rc != 0 || lock.l_type == F_UNLCK) return std::nullopt;
  return lock.l_pid;
}

std::optional<VmFacts> Store::facts(const std::string& name) const {
  if (!exists(name)) return std::nullopt;
  VmFacts vm;
  vm.name = name;
  vm.source = "local";
  if (auto config = read_json(config_path(name))) {
    vm.os = config->value("os", std::string("linux"));
    vm.cpu = config->value("cpuCount", 4);
    vm.memory_mb = config->value("memorySize", 4 * kGiB) / (1024 * 1024);
  }
  fill_disk_facts(vm_dir(name), vm);
  vm.running = running_pid(name).has_value();
  return vm;
}

std::vector<VmFacts> Store::local_vms() const {
  std::vector<VmFacts> vms;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(home_ + "/vms", ec)) {
    if (auto vm = facts(entry.path().filename().string())) vms.push_back(*vm);
  }
  std::sort(vms.begin(), vms.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return vms;
}

// cache/OCIs/ghcr.io/org/image/latest/config.json -> "ghcr.io/org/image:latest".
std::vector<VmFacts> Store::oci_images() const {
  std::vector<VmFacts> images;
  const fs::path root = home_ + "/cache/OCIs";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() != "config.json") continue;
    const fs::path image_dir = it->path().parent_path();
    const fs::path relative = image_dir.lexically_relative(root);
    VmFacts vm;
    vm.name = relative.parent_path().string() + ":" + relative.filename().string();
    vm.source = "OCI";
    fill_disk_facts(image_dir.string(), vm);
    images.push_back(vm);
  }
  std::sort(images.begin(), images.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return images;
}

std::string Store::create(const std::string& name, const std::string& os, int disk_gb) const {
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.') {
    return "invalid VM name \"" + name + "\"";
  }
  if (fs::exists(vm_dir(name))) return "VM \"" + name + "\" already exists";
  std::error_code ec;
  fs::create_directories(vm_dir(name), ec);
  if (ec) return "cannot create " + vm_dir(name) + ": " + ec.message();
  const json config = {{"version", 1},       {"os", os},
                       {"arch", "arm64"},    {"cpuCount", 4},
                       {"memorySize", 4 * kGiB},
                       {"display", {{"width", 1024}, {"height", 768}}}};
  std::ofstream(config_path(name)) << config.dump(2) << "\n";
  std::ofstream(vm_dir(name) + "/nvram.bin") << "fake nvram\n";
  // Sparse: Disk reports disk_gb while Size (blocks really used) stays near zero.
  const int fd = ::open((vm_dir(name) + "/disk.img").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(disk_gb) * kGiB) != 0) {
    if (fd >= 0) ::close(fd);
    return "cannot create the disk image of \"" + name + "\"";
  }
  ::close(fd);
  return {};
}

std::string Store::clone(const std::string& source, const std::string& target) const {
  if (!exists(source)) return "the specified VM \"" + source + "\" does not exist";
  if (target.empty() || target.find('/') != std::string::npos || target.front() == '.') {
    return "invalid VM name \"" + target + "\"";
  }
  if (fs::exists(vm_dir(target))) return "VM \"" + target + "\" already exists";
  std::error_code ec;
  fs::copy(vm_dir(source), vm_dir(target), fs::copy_options::recursive, ec);
  return ec ? "cannot clone: " + ec.message() : std::string();
}

std::string Store::remove(const std::string& name) const {
  std::error_code ec;
  fs::remove_all(vm_dir(name), ec);
  return ec ? "cannot delete: " + ec.message() : std::string();
}

std::string Store::set(const std::string& name, std::optional<int> cpu,
                       std::optional<long long> memory_mb) const {
  auto config = read_json(config_path(name));
  if (!config) return "cannot read the configuration of \"" + name + "\"";
  if (cpu) (*config)["cpuCount"] = *cpu;
  if (memory_mb) (*config)["memorySize"] = *memory_mb * 1024 * 1024;
  std::ofstream(config_path(name)) << config->dump(2) << "\n";
  return {};
}

void Store::touch_accessed(const std::string& name) const {
  ::utimensat(AT_FDCWD, (vm_dir(name) + "/nvram.bin").c_str(), nullptr, 0);
}

}  // namespace phoenix::fake_tart
