#include "hub/vms/vm_service.hpp"

namespace phoenix::hub {

// Optional facts are left out rather than sent as null: a client can tell "unknown" from a
// value, and the shape stays the same whichever tart call the facts came from.
nlohmann::json to_json(const VmInfo& vm) {
  nlohmann::json out = {
      {"name", vm.name},
      {"state", vm.state},
      {"running", vm.running},
      {"source", vm.source},
  };
  if (vm.os) out["os"] = *vm.os;
  if (vm.cpu) out["cpu"] = *vm.cpu;
  if (vm.memory_mb) out["memory_mb"] = *vm.memory_mb;
  if (vm.disk_gb) out["disk_gb"] = *vm.disk_gb;
  if (vm.size_gb) out["size_gb"] = *vm.size_gb;
  if (vm.accessed) out["accessed"] = *vm.accessed;
  return out;
}

}  // namespace phoenix::hub
