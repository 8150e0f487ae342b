#pragma once
// The hub's view of VM lifecycle, independent of the driver behind it (tart today, netns
// later). Every method is asynchronous: it returns at once and calls the handler when the
// answer is known, on any thread. Callers on an io thread must post back to their own
// executor. No method ever blocks the caller, however slow the driver is.
//
// Error codes (Error::code) and the HTTP status the API maps them to:
//   invalid_name 400, vm_not_found 404, already_running 409, not_running 409,
//   driver_failed 502 (driver's own message kept), driver_timeout 504.
#include "shared/core/error.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub {

struct VmInfo {
  std::string name;
  std::string state;   // "running", "suspended", "stopped"
  bool running = false;
  std::string source;  // "local"
  std::optional<std::string> os;        // from `tart get`, when known
  std::optional<int> cpu;
  std::optional<int> memory_mb;
  std::optional<int> disk_gb;
  std::optional<int> size_gb;
  std::optional<std::string> accessed;  // ISO-8601
};

nlohmann::json to_json(const VmInfo& vm);

struct DriverHealth {
  bool ok = false;
  std::string detail;  // e.g. "tart found at /opt/homebrew/bin/tart" or why not
};

class VmService {
 public:
  using ListHandler = std::function<void(Result<std::vector<VmInfo>>)>;
  using VmHandler = std::function<void(Result<VmInfo>)>;
  using IpHandler = std::function<void(Result<std::string>)>;

  virtual ~VmService() = default;

  virtual void list(ListHandler done) = 0;
  virtual void get(const std::string& name, VmHandler done) = 0;
  // Answers once the VM is running (or with the driver's error).
  virtual void start(const std::string& name, VmHandler done) = 0;
  virtual void stop(const std::string& name, VmHandler done) = 0;
  virtual void ip(const std::string& name, int wait_seconds, IpHandler done) = 0;
  virtual DriverHealth health() const = 0;
};

}  // namespace phoenix::hub
