#include "hub/commands.hpp"

#include "hub/admin/admin_commands.hpp"
#include "hub/admin/health_command.hpp"
#include "hub/admin/rotate_command.hpp"
#include "hub/api/hub_config.hpp"
#include "hub/api/serve.hpp"
#ifdef PHOENIX_HAVE_NETNS
#include "hub/netns/netns_dockerd.hpp"
#endif
#include "shared/config/config_object.hpp"
#include "shared/fs/real_file_system.hpp"

#include <iostream>

namespace phoenix::hub {
namespace {

namespace po = boost::program_options;

std::optional<std::string> flag(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::nullopt;
  return vm[name].as<std::string>();
}

#ifdef PHOENIX_HAVE_NETNS
// The restart command the netns driver gives each VM's agent: restarts that VM's dockerd
// inside its namespace, with the launch settings saved in the VM's directory.
int netns_restart_dockerd(const std::vector<std::string>& args) {
  po::options_description options("Options");
  options.add_options()("dir", po::value<std::string>()->required()->value_name("DIR"),
                        "the netns VM's directory (<state>/netns/<vm>)");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub netns restart-dockerd --dir DIR", options, args, vm); rc >= 0) return rc;
  auto restarted = restart_netns_dockerd(vm["dir"].as<std::string>(), std::chrono::seconds(60));
  if (!restarted) {
    std::cerr << "phoenix-hub netns restart-dockerd: " << restarted.error().message << "\n";
    return 1;
  }
  return 0;
}
#endif

int serve(const std::vector<std::string>& args) {
  po::options_description options("Options (flags override the config file)");
  options.add_options()
      ("config", po::value<std::string>()->value_name("F"),
       "hub config file (default /etc/phoenix/hub.json when it exists)")
      ("state-dir", po::value<std::string>()->value_name("DIR"),
       "hub state directory (default /var/lib/phoenix-hub; on a Mac ~/Library/Application Support/Phoenix)")
      ("api-listen", po::value<std::string>()->value_name("ADDR:PORT"),
       "HTTP VM API address (default 127.0.0.1:8082; port 0 picks a free one)")
      ("agent-listen", po::value<std::string>()->value_name("ADDR:PORT"),
       "agent endpoint address (default 0.0.0.0:8443; port 0 picks a free one)")
      ("tart", po::value<std::string>()->value_name("PATH"),
       "absolute path of the tart executable (default /opt/homebrew/bin/tart)")
      ("driver", po::value<std::string>()->value_name("tart"), "VM driver (default tart)");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub serve", options, args, vm); rc >= 0) return rc;

  api::ServeFlags flags{flag(vm, "config"), flag(vm, "state-dir"), flag(vm, "api-listen"),
                        flag(vm, "tart"), flag(vm, "driver"), flag(vm, "agent-listen")};
  api::HubConfig config;
  try {
    fs::RealFileSystem fs;
    config = api::load_hub_config(fs, flags);
  } catch (const config::ConfigError& e) {
    std::cerr << "phoenix-hub serve: " << e.what() << "\n";
    return 2;
  }
  return api::run_serve(config);
}

}  // namespace

std::vector<cli::Command> hub_commands() {
  std::vector<cli::Command> commands{
      {"init", "create the CAs, the hub's server cert, the store and a default config",
       [](const std::vector<std::string>& args) { return run_init_command(args); }},
      {"serve", "run the hub: agent endpoint, HTTP VM API and dashboard", serve},
      {"token create", "print a one-time enrollment token for a VM",
       [](const std::vector<std::string>& args) { return run_token_create_command(args); }},
      {"revoke", "revoke a VM's agent identity",
       [](const std::vector<std::string>& args) { return run_revoke_command(args); }},
      {"rotate", "rotate certificates across the fleet, with live progress",
       [](const std::vector<std::string>& args) { return run_rotate_command(args); }},
      {"health", "ask a running hub's /health; exit 0 when healthy (container HEALTHCHECKs)",
       [](const std::vector<std::string>& args) { return run_health_command(args); }},
  };
#ifdef PHOENIX_HAVE_NETNS
  commands.insert(commands.begin() + 4, {"netns restart-dockerd",
                                         "restart a netns VM's dockerd (the restart command of its agent)",
                                         netns_restart_dockerd});
#endif
  return commands;
}

}  // namespace phoenix::hub
