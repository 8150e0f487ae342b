#include "fuzz/support/hub_harness.hpp"

#include "hub/admin/hub_init.hpp"
#include "hub/agents/docker_trust.hpp"
#include "hub/api/agent_routes.hpp"
#include "hub/api/metrics_routes.hpp"
#include "hub/api/rotation_routes.hpp"
#include "hub/api/vm_routes.hpp"
#include "hub/events/event_bus.hpp"
#include "hub/http/dispatcher.hpp"
#include "hub/metrics/metrics.hpp"
#include "hub/rotation/rollout_driver.hpp"
#include "hub/swarm/swarm_service.hpp"
#include "shared/core/log.hpp"
#include "shared/fs/real_file_system.hpp"
#include "tests/hub/api/fake_vm_service.hpp"

#include <boost/asio/post.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace phoenix::fuzz {
namespace {

using nlohmann::json;
namespace net = boost::asio;

// An agent's connection as the registry sees it: commands are answered from the shared queue,
// later on the io_context (as a session answers from its strand).
class FakeLink : public hub::AgentLink {
 public:
  FakeLink(net::io_context& ioc, std::deque<json>& answers) : ioc_(ioc), answers_(answers) {}
  void close(std::uint16_t, std::string) override {}
  void send_command(protocol::MessageType, json, hub::CommandCallback done, std::chrono::milliseconds) override {
    if (answers_.empty()) {
      net::post(ioc_, [done = std::move(done)] { done(make_error("agent_disconnected", "no answer")); });
      return;
    }
    json answer = std::move(answers_.front());
    answers_.pop_front();
    net::post(ioc_, [done = std::move(done), answer = std::move(answer)]() mutable {
      if (answer.is_object()) return done(std::move(answer));
      done(make_error(answer.is_string() ? answer.get<std::string>() : "agent_error", "the agent refused"));
    });
  }

 private:
  net::io_context& ioc_;
  std::deque<json>& answers_;
};

// Harnesses usually live until the process exits; their state dirs go with it.
std::vector<std::string>& dirs_to_remove() {
  static std::vector<std::string> dirs;
  return dirs;
}

void remove_state_dirs() {
  for (const auto& dir : dirs_to_remove()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
}

std::string make_state_dir() {
  // RAM-backed where there is one: the store syncs every write.
  const std::string base = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string dir = base + "/phoenix-fuzz-hub-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) std::abort();
  if (dirs_to_remove().empty()) std::atexit(remove_state_dirs);
  dirs_to_remove().push_back(dir);
  return dir;
}

template <class T>
T must(Result<T> result) {
  if (!result) {
    log::error("fuzz", "harness setup failed: " + result.error().to_string());
    std::abort();
  }
  return std::move(*result);
}

}  // namespace

struct HubHarness::Parts {
  std::string dir = make_state_dir();
  net::io_context ioc;
  std::deque<json> answers;
  std::shared_ptr<hub::HubStore> store;
  std::shared_ptr<hub::AgentRegistry> registry;
  std::map<std::string, std::shared_ptr<FakeLink>> links;
  std::shared_ptr<test::FakeVmService> vms = std::make_shared<test::FakeVmService>();
  std::shared_ptr<hub::SwarmService> swarm;
  std::shared_ptr<hub::RolloutDriver> rollout;
  std::unique_ptr<http::Dispatcher> dispatcher;
};

HubHarness::HubHarness(bool with_tokens) : parts_(std::make_unique<Parts>()) {
  auto& p = *parts_;
  fs::RealFileSystem files;
  hub::InitOptions init;
  init.state_dir = p.dir + "/state";
  init.config_path = p.dir + "/hub.json";
  init.hostname = "";
  must(hub::initialize_hub(files, init));
  const auto paths = hub::hub_paths(init.state_dir);
  p.store = std::shared_ptr<hub::HubStore>(must(hub::HubStore::open(paths.database)).release());
  p.registry = std::make_shared<hub::AgentRegistry>(p.ioc.get_executor(), p.store);
  const auto now = std::chrono::system_clock::now();
  for (const char* name : kAgentNames) {
    if (auto r = p.store->record_enrollment(name, "0A", now + std::chrono::hours{24}, now); !r) std::abort();
    p.links[name] = std::make_shared<FakeLink>(p.ioc, p.answers);
  }
  p.vms->add("vm1", true);
  p.vms->add("vm2", true);
  p.vms->add("vm3", false);

  const auto inline_work = [](std::function<void()> work) { work(); };
  auto agent_api = std::make_shared<hub::api::AgentApi>();
  agent_api->registry = p.registry;
  agent_api->store = p.store;
  agent_api->fs = std::make_shared<fs::RealFileSystem>();
  agent_api->identity_ca_cert_path = paths.identity_ca_cert;
  agent_api->public_url = "wss://hub.example:8443";
  agent_api->run_blocking = inline_work;

  p.rollout = std::make_shared<hub::RolloutDriver>(p.ioc.get_executor(), p.store, p.registry,
                                                   must(hub::DockerTrust::load(paths.ca_dir, std::chrono::hours{24})),
                                                   hub::RolloutDriverOptions{});
  auto rotation_api = std::make_shared<hub::api::RotationApi>();
  rotation_api->driver = p.rollout;
  rotation_api->store = p.store;
  rotation_api->run_blocking = inline_work;
  p.swarm = std::make_shared<hub::SwarmService>(p.ioc.get_executor(), p.registry, p.store, hub::SwarmSettings{});
  agent_api->after_revoke = [swarm = p.swarm](const std::string& vm) { swarm->remove(vm, [](const json&) {}); };
  auto metrics = std::make_shared<hub::Metrics>();
  hub::api::add_fleet_collectors(*metrics, p.registry, p.store);
  auto events = std::make_shared<hub::EventBus>();

  hub::api::ApiInfo info{"0.0.0-fuzz", "tart", {}};
  auto router = hub::api::make_api_router(p.vms, std::move(info), agent_api, rotation_api, p.swarm, metrics, events);
  std::vector<http::TokenEntry> tokens;
  if (with_tokens) tokens = {{kAdminToken, http::Role::write}, {kReadToken, http::Role::read}};
  p.dispatcher = std::make_unique<http::Dispatcher>(router, std::make_shared<http::TokenAuth>(tokens),
                                                    http::HostAllowList({"hub.example"}),
                                                    [metrics](std::string_view method, std::string_view route,
                                                              unsigned status) {
                                                      metrics->count_http_request(method, route, status);
                                                    });
}

HubHarness::~HubHarness() {
  const std::string dir = parts_->dir;
  parts_->rollout->stop();
  parts_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

void HubHarness::set_agent(const std::string& vm, const std::optional<json>& state) {
  auto& p = *parts_;
  const auto& link = p.links.at(vm);
  if (!state) {
    p.registry->detach(vm, link.get());
    return;
  }
  if (!p.registry->is_connected(vm)) {
    p.registry->attach(vm, link, "0A", std::chrono::system_clock::now());
  }
  p.registry->update_state(vm, link.get(), *state);
  (void)p.store->set_last_state(vm, *state, std::chrono::system_clock::now());
}

void HubHarness::set_answers(std::deque<json> answers) { parts_->answers = std::move(answers); }

std::optional<http::Response> HubHarness::call(const http::Request& request) {
  auto& p = *parts_;
  auto answer = std::make_shared<std::optional<http::Response>>();
  http::Respond respond(
      [answer](http::Response response) {
        if (!*answer) *answer = std::move(response);
      },
      [answer](http::Response head, std::shared_ptr<http::ResponseStream> body) {
        body->cancel();
        if (!*answer) *answer = std::move(head);
      });
  p.dispatcher->handle(request, respond);
  while (!*answer && p.ioc.poll() > 0) {
  }
  drain();
  return std::move(*answer);
}

void HubHarness::drain() {
  auto& p = *parts_;
  p.ioc.restart();
  for (int i = 0; i < 1000 && p.ioc.poll() > 0; ++i) {
  }
  p.ioc.restart();
}

}  // namespace phoenix::fuzz
