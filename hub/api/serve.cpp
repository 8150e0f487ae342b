#include "hub/api/serve.hpp"

#include "shared/core/safe_text.hpp"

#include "hub/admin/hub_paths.hpp"
#include "hub/agents/agent_endpoint.hpp"
#include "hub/admin/server_cert_renewal.hpp"
#include "hub/api/agent_routes.hpp"
#include "hub/api/hub_certificates.hpp"
#include "hub/api/limit_metrics.hpp"
#include "hub/api/open_files_limit.hpp"
#include "hub/api/operator_identity_keeper.hpp"
#include "hub/api/revocation_watcher.hpp"
#include "hub/api/server_cert_renewer.hpp"
#include "hub/api/vm_driver.hpp"
#include "hub/api/vm_routes.hpp"
#include "hub/events/change_filter.hpp"
#include "hub/events/event_bus.hpp"
#include "hub/events/fleet_watcher.hpp"
#include "hub/http/dispatcher.hpp"
#include "hub/http/http_server.hpp"
#include "hub/admin/token_issuer.hpp"
#include "phoenix/version.hpp"
#include "shared/core/io_loop.hpp"
#include "shared/core/log.hpp"
#include "shared/fs/real_file_system.hpp"
#include "shared/pki/certificate.hpp"
#include "shared/platform/service_notify.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <csignal>
#include <thread>

namespace phoenix::hub::api {
namespace {

constexpr int kIoThreads = 2;
// After SIGTERM, how long agents get to answer the close frame before the hub exits anyway.
constexpr auto kCloseGrace = std::chrono::seconds(3);
// Event streams: a comment this often keeps them open through proxies and finds dead peers.
constexpr auto kEventHeartbeat = std::chrono::seconds(15);
// How often the fleet watcher compares VM power states while a dashboard listens.
constexpr auto kFleetWatchInterval = std::chrono::milliseconds(3000);
// After SIGTERM, the time event streams get to send their last chunk (a clean end, not a reset).
constexpr auto kStreamFlush = std::chrono::milliseconds(200);

void notify_systemd(const char* state) {
  if (!platform::notify_service(state)) log::warning("serve", std::string("service notification ") + state + " failed");
}

// The agent endpoint's TLS material and CAs, as `phoenix-hub init` left them.
Result<AgentEndpointConfig> endpoint_config(const fs::FileSystem& fs, const HubConfig& config,
                                            const HubPaths& paths) {
  if (!fs.exists(paths.identity_ca_cert) || !fs.exists(paths.database)) {
    return make_error("not_initialized", config.state_dir + " is not an initialised hub state dir: run "
                                         "`phoenix-hub init --state-dir " + config.state_dir + "` first");
  }
  AgentEndpointConfig out;
  out.listen_host = config.agent_listen.host;
  out.port = config.agent_listen.port;
  const auto& limits = config.agent_limits;
  out.max_connections = limits.max_connections;
  out.max_handshakes = limits.max_handshakes;
  out.max_handshakes_per_source = limits.max_handshakes_per_source;
  out.tls_handshake_timeout = limits.tls_handshake_timeout;
  out.message_burst = limits.message_burst;
  out.messages_per_s = limits.messages_per_s;
  out.sign_request_burst = limits.sign_request_burst;
  out.sign_requests_per_min = limits.sign_requests_per_min;
  out.blocking_threads = limits.blocking_threads;
  out.blocking_queue_max = limits.blocking_queue_max;
  const std::pair<std::string*, const std::string*> files[] = {
      {&out.identity_ca_cert_pem, &paths.identity_ca_cert}, {&out.identity_ca_key_pem, &paths.identity_ca_key},
      {&out.docker_ca_pem, &paths.docker_ca_cert},          {&out.server_cert_chain_pem, &paths.hub_cert},
      {&out.server_key_pem, &paths.hub_key}};
  for (const auto& [target, path] : files) {
    auto text = fs.read_file(*path);
    if (!text) {
      return make_error("not_initialized", "cannot read " + *path + " (" + text.error().message +
                                               "): the state dir is incomplete; run `phoenix-hub init` "
                                               "into a fresh --state-dir");
    }
    *target = std::move(*text);
  }
  auto trust = DockerTrust::load(paths.ca_dir, std::chrono::hours(24 * 90));
  if (!trust) return make_error("not_initialized", "docker CA: " + trust.error().message);
  out.docker_trust = *trust;
  return out;
}

}  // namespace

int run_serve(const HubConfig& config) {
  if (auto exposure = check_api_exposure(config); !exposure) {
    log::error("serve", exposure.error().message);
    return 2;
  }
  const auto open_files = raise_open_files_limit();
  auto files = std::make_shared<fs::RealFileSystem>();
  const HubPaths paths = hub_paths(config.state_dir);
  auto endpoint_settings = endpoint_config(*files, config, paths);
  if (!endpoint_settings) {
    log::error("serve", endpoint_settings.error().message);
    return 2;
  }
  // The agent endpoint's server cert: renewed here when it is in its renewal window (or
  // expired), before the listener loads it, so a hub that was down for long starts with a
  // valid one. Agents pin the identity CA, not this cert: none has to enroll again.
  auto server_cert = renew_server_cert_if_due(*files, paths);
  pki::TimePoint server_check_due = std::chrono::system_clock::now();  // on failure: check again soon
  pki::TimePoint server_not_after{};
  if (!server_cert) {
    log::error("serve", "could not check or renew the agent endpoint's server cert " + paths.hub_cert + ": " +
                            server_cert.error().to_string() + "; serving the current one");
    // Its end for the expiry report, from the file the listener loads (a cert that does not
    // parse fails the listener's start anyway).
    if (auto chain = pki::certificates_from_pem(endpoint_settings->server_cert_chain_pem)) {
      server_not_after = chain->front().facts().not_after;
    }
  } else {
    if (server_cert->renewed) {
      log::notice("serve", "renewed the agent endpoint's server cert " + paths.hub_cert + " (" + server_cert->reason +
                               "): serial " + server_cert->serial_hex + " valid until " +
                               pki::format_utc(server_cert->not_after));
    } else {
      log::info("serve", "agent endpoint's server cert: " + server_cert->reason);
    }
    endpoint_settings->server_cert_chain_pem = server_cert->chain_pem;
    endpoint_settings->server_key_pem = server_cert->key_pem;
    server_check_due = server_cert->next_check;
    server_not_after = server_cert->not_after;
  }
  auto identity_ca = pki::Certificate::from_pem(endpoint_settings->identity_ca_cert_pem);
  if (!identity_ca) {
    log::error("serve", paths.identity_ca_cert + ": " + identity_ca.error().message);
    return 2;
  }
  auto certificates = std::make_shared<HubCertificates>(identity_ca->facts().not_after,
                                                        endpoint_settings->docker_trust, server_not_after);

  auto opened = HubStore::open(paths.database);
  if (!opened) {
    log::error("serve", "cannot open " + paths.database + ": " + opened.error().message);
    return 1;
  }
  std::shared_ptr<HubStore> store = std::move(*opened);
  if (auto marked = store->mark_all_disconnected(std::chrono::system_clock::now()); !marked) {
    log::error("serve", marked.error().message);
    return 1;
  }

  // Declared first, destroyed last: the service's workers may still post answers to it.
  boost::asio::io_context ioc;
  // Store calls of the API and the revocation poll: SQLite may block, the io threads must not.
  boost::asio::thread_pool blocking(1);

  auto metrics = std::make_shared<Metrics>();
  auto service = make_vm_service(config, metrics, store, files, paths);
  if (!service) {
    log::error("serve", service.error().message);
    return 2;
  }
  const auto health = (*service)->health();
  if (!health.ok) log::warning("serve", "VM driver unhealthy: " + health.detail);

  const auto docker_trust = endpoint_settings->docker_trust;
  AgentEndpoint endpoint(ioc, std::move(*endpoint_settings), store);
  if (auto started = endpoint.start(); !started) {
    log::error("serve", "agent endpoint: " + started.error().message);
    return 1;
  }
  http::ListenAddress agent_bound = config.agent_listen;
  agent_bound.port = endpoint.port();
  log::info("serve", "agent endpoint listening on " + agent_bound.to_string());
  if (!config.agent_public_url) {
    log::notice("serve", "agent_endpoint.public_url is not set: POST /enroll-tokens is refused until it is");
  }

  auto agent_api = std::make_shared<AgentApi>();
  agent_api->registry = endpoint.shared_registry();
  agent_api->store = store;
  agent_api->fs = files;
  agent_api->identity_ca_cert_path = paths.identity_ca_cert;
  agent_api->public_url = config.agent_public_url;
  agent_api->run_blocking = [&blocking](std::function<void()> work) { boost::asio::post(blocking, std::move(work)); };

  ApiInfo info{kVersion, config.driver};
  // The store is opened before serving and stays open; the endpoint reports its own state.
  // Certificates that end soon are warnings (status "warning", still 200): restarting the hub
  // would not fix them, so a liveness probe must not act on them.
  info.add_health = [&endpoint, certificates](nlohmann::json& body, bool& ok) {
    const bool listening = endpoint.port() != 0;
    body["store"] = {{"ok", true}};
    body["agent_endpoint"] = {{"ok", listening},
                              {"port", endpoint.port()},
                              {"connected_agents", endpoint.registry().size()}};
    add_certificate_health(body, certificates->summary());
    ok = ok && listening;
  };
  RolloutDriverOptions rollout_options;
  rollout_options.offline_deadline = config.rotation_offline_deadline;
  rollout_options.auto_setup = config.rotation_auto_setup;
  auto rollout = std::make_shared<RolloutDriver>(blocking.get_executor(), store, endpoint.shared_registry(),
                                                 docker_trust, rollout_options);
  rollout->start();
  auto rotation_api = std::make_shared<RotationApi>();
  rotation_api->driver = rollout;
  rotation_api->store = store;
  rotation_api->run_blocking = agent_api->run_blocking;
  auto swarm = std::make_shared<SwarmService>(blocking.get_executor(), endpoint.shared_registry(), store, config.swarm);
  // Refused join tokens are news for the operator: announced on GET /events.
  auto events = std::make_shared<EventBus>();
  swarm->on_refusal = [events](const nlohmann::json& refusal) { events->publish("swarm", refusal); };
  swarm->start();
  agent_api->after_revoke = [swarm](const std::string& vm) {
    swarm->remove(vm, [vm](const nlohmann::json& result) {
      log::info("swarm", "after revoking " + vm + ": " + dump_json(result));
    });
  };
  add_fleet_collectors(*metrics, endpoint.shared_registry(), store);
  metrics->add_collector([] {
    return std::vector<MetricFamily>{
        {"phoenix_handler_failures_total",
         "Handlers that threw into the io loop: each cost its own request or connection, never the hub.",
         "counter", {{{}, static_cast<double>(io_loop_exceptions())}}}};
  });
  metrics->add_collector([certificates] { return certificate_metrics(certificates->summary()); });
  endpoint.counters()->open_files_limit = open_files;
  add_limit_collector(*metrics, endpoint.counters(), {[&endpoint] { return endpoint.handshakes_in_progress(); }});

  // Live events for the dashboard (GET /events): what changed, announced where it changes.
  // Agents report state every few seconds; only a connection change or a different report is news.
  auto agent_changes = std::make_shared<ChangeFilter>();
  endpoint.shared_registry()->on_change([events, agent_changes, registry = &endpoint.registry()](const std::string& vm) {
    std::optional<std::string> fingerprint;
    if (auto agent = registry->find(vm)) {
      fingerprint = std::to_string(to_unix_seconds(agent->since)) + ' ' + agent->cert_serial + ' ' +
                    dump_json(agent->last_state);
    }
    if (agent_changes->changed(vm, std::move(fingerprint))) events->publish("agent", {{"vm", vm}});
  });
  store->on_rotation_change([events](const std::string& id) { events->publish("rotation", {{"id", id}}); });
  auto fleet_watcher = std::make_shared<FleetWatcher>(ioc.get_executor(), *service, events, kFleetWatchInterval);
  fleet_watcher->start();

  auto router = make_api_router(*service, std::move(info), agent_api, rotation_api, swarm, metrics, events);
  auto auth = std::make_shared<http::TokenAuth>(config.api_tokens);
  if (!auth->enabled()) log::notice("serve", "no API tokens configured: the API is open to local users");
  auto host_names = api_host_names(config);
  for (auto& name : http::local_host_names()) host_names.push_back(std::move(name));
  http::HostAllowList hosts(std::move(host_names));
  std::string names_text;
  for (const auto& name : hosts.names()) names_text += ", " + name;
  log::info("serve", "the API answers to IP addresses, localhost" + names_text +
                         " (other names: api.allowed_hosts)");
  http::Dispatcher dispatcher(router, auth, std::move(hosts), [metrics, events](std::string_view method,
                                                                               std::string_view route,
                                                                               unsigned status) {
    metrics->count_http_request(method, route, status);
    // Changes made through the API itself, announced once they are done.
    if (method != "POST" || status >= 300) return;
    if (route == "/vms/{name}/start" || route == "/vms/{name}/stop") events->publish("vms", nlohmann::json::object());
    if (route == "/swarm/sync") events->publish("swarm", nlohmann::json::object());
  });

  http::ServerOptions options;
  options.host = config.api_listen.host;
  options.port = config.api_listen.port;
  options.counters = endpoint.counters();
  options.max_connections = config.api_max_connections;
  http::HttpServer server(ioc, options, dispatcher.as_handler());
  if (auto started = server.start(); !started) {
    log::error("serve", started.error().message);
    endpoint.stop();
    return 1;
  }
  http::ListenAddress bound = config.api_listen;
  bound.port = server.port();
  log::info("serve", "phoenix-hub " + std::string(kVersion) + " listening on " + bound.to_string() +
                         " (driver " + config.driver + ", state " + config.state_dir + ")");

  auto watcher = std::make_shared<RevocationWatcher>(ioc, blocking, store, endpoint.shared_registry());
  watcher->start();
  auto operator_identity = std::make_shared<OperatorIdentityKeeper>(
      ioc, blocking, std::make_shared<OperatorIdentity>(*files, config.state_dir, docker_trust));
  operator_identity->start();

  auto renewer = std::make_shared<ServerCertRenewer>(
      boost::asio::make_strand(ioc), agent_api->run_blocking, [files, paths] { return renew_server_cert_if_due(*files, paths); },
      [&endpoint, certificates](const ServerCertState& renewed) {
        if (auto installed = endpoint.replace_server_certificate(renewed.chain_pem, renewed.key_pem); !installed) {
          log::error("serve", "the renewed server cert was written but not loaded: " + installed.error().to_string() +
                                  "; it is used after a restart");
          return;
        }
        certificates->set_server_not_after(renewed.not_after);
      });
  renewer->start(server_check_due);

  // On its own strand: the signal handler, on another io thread, stops it through the strand.
  boost::asio::steady_timer heartbeat(boost::asio::make_strand(ioc));
  bool heartbeat_stopped = false;
  std::function<void()> beat = [&] {
    heartbeat.expires_after(kEventHeartbeat);
    heartbeat.async_wait([&](const boost::system::error_code& ec) {
      if (ec || heartbeat_stopped) return;
      events->heartbeat();
      beat();
    });
  };
  boost::asio::post(heartbeat.get_executor(), beat);

  // Shutdown: stop accepting, send agents close frames, and give them kCloseGrace to answer.
  boost::asio::steady_timer grace(ioc);
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point streams_flushed;  // event streams' last chunks written by then
  std::function<void()> wait_for_agents = [&] {
    const auto now = std::chrono::steady_clock::now();
    if ((endpoint.open_connections() == 0 && now >= streams_flushed) || now >= deadline) return ioc.stop();
    grace.expires_after(std::chrono::milliseconds(50));
    grace.async_wait([&](const boost::system::error_code&) { wait_for_agents(); });
  };
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::info("serve", "signal " + std::to_string(signal_number) + ": shutting down");
    notify_systemd("STOPPING=1");
    watcher->stop();
    operator_identity->stop();
    renewer->stop();
    fleet_watcher->stop();
    boost::asio::post(heartbeat.get_executor(), [&] {
      heartbeat_stopped = true;
      heartbeat.cancel();
    });
    streams_flushed = std::chrono::steady_clock::now() + (events->listeners() > 0 ? kStreamFlush : std::chrono::milliseconds(0));
    events->close();  // every event stream ends cleanly; browsers reconnect to the next hub
    rollout->stop();
    server.stop();
    endpoint.stop();
    deadline = std::chrono::steady_clock::now() + kCloseGrace;
    wait_for_agents();
  });
  notify_systemd("READY=1");

  std::vector<std::thread> threads;
  // run_io_loop: a handler that still throws is logged and costs only its own work.
  for (int i = 1; i < kIoThreads; ++i) threads.emplace_back([&ioc] { run_io_loop(ioc, "serve"); });
  run_io_loop(ioc, "serve");
  for (auto& t : threads) t.join();
  blocking.join();  // finishes queued store work; nothing new arrives once io has stopped
  log::info("serve", "stopped");
  return 0;
}

}  // namespace phoenix::hub::api
