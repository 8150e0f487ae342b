#include "hub/api/hub_config.hpp"

#include "hub/admin/hub_paths.hpp"
#include "hub/http/host_allow_list.hpp"
#include "shared/config/config_object.hpp"

namespace phoenix::hub::api {
namespace {

constexpr std::size_t kMinTokenLength = 16;

http::ListenAddress listen_address(const config::ConfigObject& section, std::string_view key,
                                   const std::string& text) {
  auto parsed = http::parse_listen_address(text);
  if (!parsed) section.fail(key, parsed.error().message);
  return *parsed;
}

std::vector<http::TokenEntry> read_tokens(const config::ConfigObject& api) {
  std::vector<http::TokenEntry> tokens;
  for (const auto& entry : api.objects("tokens")) {
    entry.reject_unknown_keys({"token", "role"});
    http::TokenEntry token;
    token.token = entry.required_string("token");
    if (token.token.size() < kMinTokenLength) {
      entry.fail("token", "is too short: use at least " + std::to_string(kMinTokenLength) +
                              " random characters (e.g. openssl rand -hex 32)");
    }
    const auto role = http::parse_role(entry.string("role", "read"));
    if (!role) entry.fail("role", "must be \"read\" or \"write\"");
    token.role = *role;
    tokens.push_back(std::move(token));
  }
  return tokens;
}

// Bounds keep a typo from disabling a limit (0) or from asking for more than a hub can hold.
void read_agent_limits(const config::ConfigObject& section, AgentEndpointLimits& out) {
  auto count = [&](const char* key, std::int64_t fallback, std::int64_t max) {
    return static_cast<std::size_t>(section.integer(key, fallback, 1, max));
  };
  out.max_connections = count("max_connections", 20'000, 1'000'000);
  out.max_handshakes = count("max_handshakes", 256, 100'000);
  out.max_handshakes_per_source = count("max_handshakes_per_source", 32, 100'000);
  out.tls_handshake_timeout = std::chrono::milliseconds(section.integer("tls_handshake_timeout_ms", 10'000, 100, 120'000));
  out.message_burst = static_cast<double>(section.integer("message_burst", 200, 1, 1'000'000));
  out.messages_per_s = static_cast<double>(section.integer("messages_per_s", 20, 1, 1'000'000));
  out.sign_request_burst = static_cast<double>(section.integer("sign_request_burst", 30, 1, 100'000));
  out.sign_requests_per_min = static_cast<double>(section.integer("sign_requests_per_min", 10, 1, 100'000));
  out.blocking_threads = count("blocking_threads", 2, 64);
  out.blocking_queue_max = count("blocking_queue_max", 1024, 1'000'000);
}

void check_driver(const HubConfig& out, const std::string& where) {
  if (out.driver != "tart" && out.driver != "netns") {
    throw config::ConfigError(where + ": driver: must be \"tart\" or \"netns\", got \"" + out.driver + "\"");
  }
}

}  // namespace

HubConfig load_hub_config(const fs::FileSystem& fs, const ServeFlags& flags) {
  HubConfig out;
  std::string path;
  if (flags.config) {
    path = *flags.config;
  } else if (const auto default_path = platform::default_locations().config_path; fs.exists(default_path)) {
    path = default_path;
  }

  if (!path.empty()) {
    out.config_path = path;
    const config::ConfigObject top(config::load_json_file(fs, path), path);
    // Sections that other parts of the hub read are accepted here, not interpreted.
    top.reject_unknown_keys(
        {"api", "agent_endpoint", "driver", "tart", "netns", "swarm", "rotation"});
    const auto swarm = top.object("swarm");
    swarm.reject_unknown_keys({"managers", "auto_join"});
    out.swarm.auto_join = swarm.boolean("auto_join", true);
    if (const auto& raw = swarm.json(); raw.contains("managers")) {
      const auto& managers = raw["managers"];
      if (managers.is_array()) {
        out.swarm.manager_names = swarm.strings("managers");
        if (out.swarm.manager_names.empty()) swarm.fail("managers", "name at least one VM");
      } else {
        out.swarm.manager_count = static_cast<int>(swarm.integer("managers", 1, 1, 7));
        if (out.swarm.manager_count % 2 == 0) {
          swarm.fail("managers", "use an odd count (1, 3, 5, 7): an even number of managers tolerates no more "
                                 "failures than one fewer");
        }
      }
    }
    const auto netns = top.object("netns");
    netns.reject_unknown_keys({"bridge", "subnet", "vms", "agent", "dockerd"});
    out.netns.bridge = netns.string("bridge", out.netns.bridge);
    out.netns.subnet = netns.string("subnet", out.netns.subnet);
    out.netns.agent_path = netns.string("agent", "");
    out.netns.dockerd_path = netns.string("dockerd", "");
    for (const auto& vm : netns.objects("vms")) {
      vm.reject_unknown_keys({"name", "address"});
      out.netns.vms.push_back({vm.required_string("name"), vm.string("address", "")});
    }
    const auto rotation = top.object("rotation");
    rotation.reject_unknown_keys({"offline_deadline_s", "auto_setup"});
    out.rotation_auto_setup = rotation.boolean("auto_setup", true);
    out.rotation_offline_deadline =
        std::chrono::seconds(rotation.integer("offline_deadline_s", 3600, 1, 30 * 24 * 3600));

    const auto agents = top.object("agent_endpoint");
    agents.reject_unknown_keys({"listen", "public_url", "max_connections", "max_handshakes",
                                "max_handshakes_per_source", "tls_handshake_timeout_ms", "message_burst",
                                "messages_per_s", "sign_request_burst", "sign_requests_per_min",
                                "blocking_threads", "blocking_queue_max"});
    read_agent_limits(agents, out.agent_limits);
    if (auto listen = agents.optional_string("listen")) {
      out.agent_listen = listen_address(agents, "listen", *listen);
    }
    if (auto url = agents.optional_string("public_url")) {
      // The same rule `token create` applies, so a URL serve accepts is one tokens can carry.
      if (host_of_wss_url(*url).empty()) {
        agents.fail("public_url", "must be wss://HOST[:PORT], e.g. wss://hypervisor.example:8443");
      }
      out.agent_public_url = *url;
    }

    const auto api = top.object("api");
    api.reject_unknown_keys({"listen", "tokens", "allowed_hosts", "max_connections"});
    out.api_max_connections = static_cast<std::size_t>(api.integer("max_connections", 512, 1, 100'000));
    if (auto listen = api.optional_string("listen")) out.api_listen = listen_address(api, "listen", *listen);
    out.api_tokens = read_tokens(api);
    for (auto& name : api.strings("allowed_hosts")) {
      const std::string_view bare = name.ends_with('.') ? std::string_view(name).substr(0, name.size() - 1) : name;
      if (!http::is_valid_host_name(bare)) {
        api.fail("allowed_hosts", "\"" + name + "\" is not a host name (give names like hub.example, without scheme or port)");
      }
      out.api_allowed_hosts.push_back(std::move(name));
    }

    out.driver = top.string("driver", out.driver);
    check_driver(out, path);

    const auto tart = top.object("tart");
    tart.reject_unknown_keys({"path", "list_cache_ms"});
    out.tart_path = tart.string("path", out.tart_path);
    if (out.tart_path.empty() || out.tart_path.front() != '/') {
      tart.fail("path", "must be an absolute path (tart is run directly, never looked up in PATH)");
    }
    out.tart_list_cache = std::chrono::milliseconds(tart.integer("list_cache_ms", 1000, 0, 60'000));
  }

  if (flags.state_dir) out.state_dir = *flags.state_dir;
  if (flags.api_listen) {
    auto parsed = http::parse_listen_address(*flags.api_listen);
    if (!parsed) throw config::ConfigError("--api-listen: " + parsed.error().message);
    out.api_listen = *parsed;
  }
  if (flags.agent_listen) {
    auto parsed = http::parse_listen_address(*flags.agent_listen);
    if (!parsed) throw config::ConfigError("--agent-listen: " + parsed.error().message);
    out.agent_listen = *parsed;
  }
  if (flags.tart) {
    if (flags.tart->empty() || flags.tart->front() != '/') {
      throw config::ConfigError("--tart: must be an absolute path, got \"" + *flags.tart + "\"");
    }
    out.tart_path = *flags.tart;
  }
  if (flags.driver) {
    out.driver = *flags.driver;
    check_driver(out, "--driver");
  }
  if (out.driver == "netns") {
    if (auto valid = validate_netns_config(out.netns); !valid) {
      throw config::ConfigError((path.empty() ? std::string("hub config") : path) + ": " + valid.error().message);
    }
  }
  return out;
}

std::vector<std::string> api_host_names(const HubConfig& config) {
  auto names = config.api_allowed_hosts;
  if (config.agent_public_url) {
    if (auto host = host_of_wss_url(*config.agent_public_url); !host.empty()) names.push_back(std::move(host));
  }
  return names;
}

Result<void> check_api_exposure(const HubConfig& config) {
  if (!config.api_tokens.empty() || config.api_listen.is_loopback()) return ok();
  return make_error("api_unprotected",
                    "refusing to serve the HTTP API on " + config.api_listen.to_string() +
                        " without tokens: add api.tokens to the hub config, or listen on a "
                        "loopback address such as 127.0.0.1:8082");
}

}  // namespace phoenix::hub::api
