#include "hub/admin/admin_commands.hpp"

#include "hub/admin/enroll_secret.hpp"
#include "hub/admin/hub_init.hpp"
#include "hub/admin/hub_paths.hpp"
#include "hub/admin/token_issuer.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/cli/command_table.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/asn1_time.hpp"

#include <iostream>

namespace phoenix::hub {
namespace {

namespace po = boost::program_options;

void add_common_options(po::options_description& options) {
  options.add_options()
      ("config", po::value<std::string>()->default_value(default_hub_config_path())->value_name("F"),
       "hub config file")
      ("state-dir", po::value<std::string>()->default_value(default_hub_state_dir())->value_name("DIR"),
       "hub state directory (CAs, server cert, hub.db, logs)");
}

int fail(std::ostream& err, const std::string& command, const Error& error) {
  err << "phoenix-hub " << command << ": " << error.message << " [" << error.code << "]\n";
  return 1;
}

// The store of an initialised state dir; never creates one in the wrong place.
Result<std::unique_ptr<HubStore>> open_existing_store(const fs::FileSystem& fs, const HubPaths& paths) {
  if (!fs.exists(paths.database)) {
    return make_error("not_initialized", paths.database +
                                             " does not exist: run `phoenix-hub init --state-dir " +
                                             paths.state_dir + "` first, or pass the right --state-dir");
  }
  return HubStore::open(paths.database);
}

}  // namespace

int run_init_command(const std::vector<std::string>& args) {
  return run_init_command(args, std::cout, std::cerr);
}

int run_init_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("Options");
  add_common_options(options);
  options.add_options()
      ("san", po::value<std::vector<std::string>>()->composing()->value_name("NAME|IP"),
       "extra DNS name or IP address for the hub's server cert (repeatable)")
      ("no-token", po::bool_switch(),
       "write hub.json without an API token (the API is then open to every local user)");
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub init [--config F] [--state-dir DIR] [--san NAME]... [--no-token]",
                                  options, args, vm);
      rc >= 0) {
    return rc;
  }
  InitOptions init;
  init.config_path = vm["config"].as<std::string>();
  init.state_dir = vm["state-dir"].as<std::string>();
  if (vm.count("san")) init.extra_sans = vm["san"].as<std::vector<std::string>>();
  init.hostname = local_hostname();
  init.create_api_token = !vm["no-token"].as<bool>();

  fs::RealFileSystem fs;
  auto report = initialize_hub(fs, init);
  if (!report) return fail(err, "init", report.error());
  for (const auto& warning : report->warnings) err << "warning: " << warning << "\n";
  for (const auto& path : report->created) out << "created " << path << "\n";
  out << "hub server cert names: ";
  for (const auto& name : report->server_dns_names) out << name << " ";
  for (const auto& ip : report->server_ips) out << ip << " ";
  out << "\n";
  if (!report->wrote_config) out << "kept existing config " << init.config_path << "\n";
  if (!report->api_token.empty()) {
    // Shown once: the config keeps it (0600), nothing else does.
    out << "API write token (in api.tokens of " << init.config_path << ", shown only now):\n  "
        << report->api_token << "\n"
        << "use it as: curl -H \"Authorization: Bearer <token>\" http://127.0.0.1:8082/vms\n";
  } else if (report->wrote_config) {
    out << "no API token (--no-token): the API answers every local user\n";
  }
  out << "identity CA fingerprint (sha256): " << report->identity_ca_fingerprint << "\n";
  out << "next: phoenix-hub token create --vm NAME --state-dir " << hub_paths(init.state_dir).state_dir
      << "\n";
  return 0;
}

int run_token_create_command(const std::vector<std::string>& args) {
  return run_token_create_command(args, std::cout, std::cerr);
}

int run_token_create_command(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err) {
  po::options_description options("Options");
  options.add_options()
      ("vm", po::value<std::string>()->required()->value_name("NAME"), "the VM this token enrolls")
      ("ttl", po::value<std::string>()->default_value("1h")->value_name("DURATION"),
       "how long the token stays valid: 90s, 30m, 1h, 2d (at most 7d)")
      ("hub-url", po::value<std::string>()->value_name("wss://HOST:PORT"),
       "URL agents dial (default: agent_endpoint.public_url from the config)");
  add_common_options(options);
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub token create --vm NAME [--ttl 1h]", options, args, vm);
      rc >= 0) {
    return rc;
  }
  const std::string name = vm["vm"].as<std::string>();
  if (auto r = validate_vm_name(name); !r) return fail(err, "token create", r.error());
  auto ttl = parse_enroll_ttl(vm["ttl"].as<std::string>());
  if (!ttl) return fail(err, "token create", ttl.error());

  fs::RealFileSystem fs;
  const std::string config_path = vm["config"].as<std::string>();
  std::string hub_url;
  if (vm.count("hub-url")) {
    hub_url = vm["hub-url"].as<std::string>();
  } else {
    auto config = load_admin_config(fs, config_path);
    if (!config) return fail(err, "token create", config.error());
    if (!config->public_url) {
      return fail(err, "token create",
                  make_error("invalid_hub_url",
                             "no hub URL: set agent_endpoint.public_url in " + config_path +
                                 " or pass --hub-url wss://HOST:8443"));
    }
    hub_url = *config->public_url;
  }

  const HubPaths paths = hub_paths(vm["state-dir"].as<std::string>());
  auto store = open_existing_store(fs, paths);
  if (!store) return fail(err, "token create", store.error());
  auto issued = issue_enroll_token(fs, **store, paths.identity_ca_cert, name, hub_url, *ttl,
                                   std::chrono::system_clock::now());
  if (!issued) return fail(err, "token create", issued.error());
  err << "enrollment token for VM " << name << " (single use, valid until "
      << pki::format_utc(issued->expires_at) << "); on the VM run: phoenix-agent enroll --token <token>\n";
  out << issued->text << "\n";
  return 0;
}

int run_revoke_command(const std::vector<std::string>& args) {
  return run_revoke_command(args, std::cout, std::cerr);
}

int run_revoke_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  po::options_description options("Options");
  options.add_options()
      ("vm", po::value<std::string>()->required()->value_name("NAME"), "the VM whose agent to revoke");
  add_common_options(options);
  po::variables_map vm;
  if (int rc = cli::parse_options("phoenix-hub revoke --vm NAME", options, args, vm); rc >= 0) return rc;
  const std::string name = vm["vm"].as<std::string>();
  if (auto r = validate_vm_name(name); !r) return fail(err, "revoke", r.error());

  fs::RealFileSystem fs;
  const HubPaths paths = hub_paths(vm["state-dir"].as<std::string>());
  auto store = open_existing_store(fs, paths);
  if (!store) return fail(err, "revoke", store.error());
  auto agent = (*store)->get_agent(name);
  if (!agent) return fail(err, "revoke", agent.error());
  if (!*agent) {
    return fail(err, "revoke",
                make_error("agent_not_found", "no agent named \"" + name + "\" has enrolled with the hub "
                                              "using " + paths.database + ": check the name "
                                              "(GET /agents lists them) and --state-dir"));
  }
  if (auto r = (*store)->revoke(name, std::chrono::system_clock::now()); !r) {
    return fail(err, "revoke", r.error());
  }
  out << "revoked " << name << ": identity serial " << (*agent)->cert_serial
      << " is denied and its unused enrollment tokens are void. A running hub refuses its next "
         "connection; to enroll it again, create a new token.\n";
  return 0;
}

}  // namespace phoenix::hub
