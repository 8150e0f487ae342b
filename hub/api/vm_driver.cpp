#include "hub/api/vm_driver.hpp"

#include "hub/admin/token_issuer.hpp"
#include "hub/tart/tart_vm_service.hpp"

#ifdef PHOENIX_HAVE_NETNS
#include "hub/netns/netns_vm_service.hpp"
#include "shared/platform/executable_path.hpp"
#include "shared/process/command_line.hpp"

#include <cstdlib>
#endif

namespace phoenix::hub::api {
namespace {

Result<std::shared_ptr<VmService>> make_tart_service(const HubConfig& config, const std::shared_ptr<Metrics>& metrics) {
  TartConfig tart;
  tart.tart_path = config.tart_path;
  tart.state_dir = config.state_dir;
  tart.list_cache_ms = config.tart_list_cache;
  tart.on_call = [metrics](const std::string& command, std::chrono::duration<double> took, bool ok) {
    metrics->observe_tart_call(command, took, ok);
  };
  return std::shared_ptr<VmService>(std::make_shared<TartVmService>(std::move(tart)));
}

#ifdef PHOENIX_HAVE_NETNS
// The netns driver mints enrollment tokens for the VMs it starts, as `token create` would.
Result<std::shared_ptr<VmService>> make_netns_service(const HubConfig& config, std::shared_ptr<HubStore> store,
                                                      std::shared_ptr<const fs::FileSystem> files,
                                                      const HubPaths& paths) {
  if (!config.agent_public_url) {
    return make_error("driver_unavailable",
                      "the netns driver needs agent_endpoint.public_url (wss://<bridge address>:PORT, e.g. "
                      "wss://10.77.0.1:8443): its VMs' agents dial it from their namespaces");
  }
  if (config.agent_listen.is_loopback()) {
    return make_error("driver_unavailable", "the netns driver's VMs cannot reach an agent endpoint on " +
                                                config.agent_listen.to_string() +
                                                ": listen on 0.0.0.0 or the bridge address");
  }
  NetnsDriverSettings settings;
  settings.config = config.netns;
  settings.state_dir = config.state_dir;
  settings.hub_binary = platform::own_executable_path();
  settings.make_token = [store, files, ca = paths.identity_ca_cert, url = *config.agent_public_url](const std::string& vm)
      -> Result<std::string> {
    auto issued = issue_enroll_token(*files, *store, ca, vm, url, std::chrono::minutes(10),
                                     std::chrono::system_clock::now());
    if (!issued) return issued.error();
    return issued->text;
  };
  if (const char* extra = std::getenv("PHOENIX_NETNS_AGENT_ARGS")) {  // tests and the demo: faster timings
    auto words = process::split_command_line(extra);
    if (words) settings.agent_extra_args = *words;
  }
  return std::shared_ptr<VmService>(std::make_shared<NetnsVmService>(std::move(settings)));
}
#endif

}  // namespace

Result<std::shared_ptr<VmService>> make_vm_service(const HubConfig& config, const std::shared_ptr<Metrics>& metrics,
                                                   std::shared_ptr<HubStore> store,
                                                   std::shared_ptr<const fs::FileSystem> files, const HubPaths& paths) {
  if (config.driver == "tart") return make_tart_service(config, metrics);
#ifdef PHOENIX_HAVE_NETNS
  if (config.driver == "netns") return make_netns_service(config, std::move(store), std::move(files), paths);
#else
  (void)store;
  (void)files;
  (void)paths;
  if (config.driver == "netns") {
    return make_error("driver_unavailable", "the netns driver is Linux-only and not in this build: use driver \"tart\"");
  }
#endif
  return make_error("driver_unavailable", "driver \"" + config.driver + "\" is not available here");
}

}  // namespace phoenix::hub::api
