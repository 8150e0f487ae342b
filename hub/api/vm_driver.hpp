#pragma once
// The VM driver `serve` runs: tart everywhere, netns only on Linux builds that include it
// (PHOENIX_HAVE_NETNS). Keeps the drivers' headers out of serve.cpp.
#include "hub/admin/hub_paths.hpp"
#include "hub/api/hub_config.hpp"
#include "hub/metrics/metrics.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/vms/vm_service.hpp"
#include "shared/core/error.hpp"
#include "shared/fs/file_system.hpp"

#include <memory>

namespace phoenix::hub::api {

// config.driver's service, or driver_unavailable with what to do.
Result<std::shared_ptr<VmService>> make_vm_service(const HubConfig& config, const std::shared_ptr<Metrics>& metrics,
                                                   std::shared_ptr<HubStore> store,
                                                   std::shared_ptr<const fs::FileSystem> files, const HubPaths& paths);

}  // namespace phoenix::hub::api
