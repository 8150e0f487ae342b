#pragma once
// The on-disk state of the fake tart, laid out like the real one:
//   $TART_HOME/vms/<name>/{config.json,disk.img,nvram.bin}
//   $TART_HOME/cache/OCIs/<registry>/<repository>/<tag>/config.json   (pulled images)
// A VM is running while a process (`fake-tart run`) holds a write lock (fcntl F_SETLK) on
// its config.json; F_GETLK tells other invocations whether, and which pid, holds it.
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace phoenix::fake_tart {

struct VmFacts {
  std::string name;
  std::string source;  // "local" or "OCI"
  std::string os = "linux";
  int cpu = 4;
  long long memory_mb = 4096;
  int disk_gb = 0;      // logical size of disk.img
  double size_gb = 0;   // space disk.img really uses
  std::string accessed;  // ISO-8601, from nvram.bin's mtime (touched by run)
  bool running = false;
};

class Store {
 public:
  explicit Store(std::string tart_home);

  std::string vm_dir(const std::string& name) const;
  std::string config_path(const std::string& name) const;
  bool exists(const std::string& name) const;

  // The pid holding the write lock on config.json, if any.
  std::optional<pid_t> running_pid(const std::string& name) const;

  std::optional<VmFacts> facts(const std::string& name) const;
  std::vector<VmFacts> local_vms() const;
  std::vector<VmFacts> oci_images() const;

  // Returns an error text, empty on success.
  std::string create(const std::string& name, const std::string& os, int disk_gb) const;
  std::string clone(const std::string& source, const std::string& target) const;
  std::string remove(const std::string& name) const;
  std::string set(const std::string& name, std::optional<int> cpu,
                  std::optional<long long> memory_mb) const;
  void touch_accessed(const std::string& name) const;

 private:
  std::string home_;
};

std::string iso8601_utc(long long epoch_seconds);

}  // namespace phoenix::fake_tart
