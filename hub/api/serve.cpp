#include "hub/api/serve.hpp"

#include "hub/api/vm_routes.hpp"
#include "hub/http/dispatcher.hpp"
#include "hub/http/http_server.hpp"
#include "phoenix/version.hpp"
#include "shared/core/log.hpp"

#ifdef PHOENIX_HUB_HAVE_TART
#include "hub/tart/tart_vm_service.hpp"
#endif

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <systemd/sd-daemon.h>

#include <csignal>
#include <cstdlib>
#include <thread>

namespace phoenix::hub::api {
namespace {

constexpr int kIoThreads = 2;

Result<std::shared_ptr<VmService>> make_vm_service(const HubConfig& config) {
  if (config.driver != "tart") {
    return make_error("driver_unavailable", "driver \"" + config.driver +
                                                "\" is not available in this build; use --driver tart");
  }
#ifdef PHOENIX_HUB_HAVE_TART
  TartConfig tart;
  tart.tart_path = config.tart_path;
  tart.state_dir = config.state_dir;
  tart.list_cache_ms = config.tart_list_cache;
  return std::shared_ptr<VmService>(std::make_shared<TartVmService>(std::move(tart)));
#else
  return make_error("driver_unavailable", "this build of phoenix-hub has no tart driver");
#endif
}

void notify_systemd(const char* state) {
  // sd_notify is a no-op without NOTIFY_SOCKET; checking first keeps the log honest.
  if (std::getenv("NOTIFY_SOCKET") == nullptr) return;
  if (sd_notify(0, state) < 0) log::warning("serve", std::string("sd_notify(") + state + ") failed");
}

}  // namespace

int run_serve(const HubConfig& config) {
  if (auto exposure = check_api_exposure(config); !exposure) {
    log::error("serve", exposure.error().message);
    return 2;
  }
  // Declared first, destroyed last: the service's workers may still post answers to it.
  boost::asio::io_context ioc;

  auto service = make_vm_service(config);
  if (!service) {
    log::error("serve", service.error().message);
    return 2;
  }
  const auto health = (*service)->health();
  if (!health.ok) log::warning("serve", "VM driver unhealthy: " + health.detail);

  auto router = make_api_router(*service, ApiInfo{kVersion, config.driver});
  auto auth = std::make_shared<http::TokenAuth>(config.api_tokens);
  if (!auth->enabled()) log::notice("serve", "no API tokens configured: the API is open to local users");
  http::Dispatcher dispatcher(router, auth);

  http::ServerOptions options;
  options.host = config.api_listen.host;
  options.port = config.api_listen.port;
  http::HttpServer server(ioc, options, dispatcher.as_handler());
  if (auto started = server.start(); !started) {
    log::error("serve", started.error().message);
    return 1;
  }
  http::ListenAddress bound = config.api_listen;
  bound.port = server.port();
  log::info("serve", "phoenix-hub " + std::string(kVersion) + " listening on " + bound.to_string() +
                         " (driver " + config.driver + ", state " + config.state_dir + ")");

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log::info("serve", "signal " + std::to_string(signal_number) + ": shutting down");
    notify_systemd("STOPPING=1");
    server.stop();
    ioc.stop();
  });
  notify_systemd("READY=1");

  std::vector<std::thread> threads;
  for (int i = 1; i < kIoThreads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  log::info("serve", "stopped");
  return 0;
}

}  // namespace phoenix::hub::api
