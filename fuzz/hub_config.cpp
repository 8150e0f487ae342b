// The hub's config file (/etc/phoenix/hub.json): any bytes give a HubConfig or a
// config::ConfigError naming the file and key, never another exception.
#include "hub/api/hub_config.hpp"
#include "shared/config/config_object.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix;
  fs::FakeFileSystem files;
  files.put("/etc/phoenix/hub.json", std::string(reinterpret_cast<const char*>(data), size));
  hub::api::ServeFlags flags;
  flags.config = "/etc/phoenix/hub.json";
  try {
    const auto config = hub::api::load_hub_config(files, flags);
    (void)hub::api::api_host_names(config);
    (void)hub::api::check_api_exposure(config);
  } catch (const config::ConfigError&) {
    // the documented failure: the hub prints it and exits 2
  }
  return 0;
}
