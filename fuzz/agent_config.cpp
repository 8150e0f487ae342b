// The agent's config file (/etc/phoenix/agent.json): any bytes give an AgentConfig or a
// config::ConfigError naming the file and key, never another exception.
#include "agent/channel/agent_config.hpp"
#include "shared/config/config_object.hpp"
#include "shared/fs/fake_file_system.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace phoenix;
  fs::FakeFileSystem files;
  files.put(agent::kDefaultAgentConfigPath, std::string(reinterpret_cast<const char*>(data), size));
  try {
    (void)agent::load_agent_config(files, agent::kDefaultAgentConfigPath, true);
  } catch (const config::ConfigError&) {
    // the documented failure: the agent prints it and exits
  }
  return 0;
}
