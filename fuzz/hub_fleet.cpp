// What agents send the hub, as the hub uses it: each agent's hello/state body (stored as
// AgentSession stores it, then read by every API view, the metrics, the swarm planner and the
// rollout driver) and the result/error bodies the agents answer the hub's commands with
// (swarm_inspect, swarm_init, swarm_join, swarm_leave, swarm_remove_node, rotate_docker_tls,
// renew_identity). The input is split into three states and a JSON array of answers; a fixed
// series of API calls then makes the hub read them.
#include "fuzz/support/hub_harness.hpp"
#include "shared/core/log.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace {

using namespace phoenix;
using nlohmann::json;

fuzz::HubHarness& harness() {
  static auto* instance = new fuzz::HubHarness(false);  // lives as long as the process
  return *instance;
}

hub::http::Request request(hub::http::Verb verb, const std::string& target, std::string body = {}) {
  hub::http::Request req{verb, target, 11};
  req.set(boost::beast::http::field::host, "127.0.0.1:8082");
  if (!body.empty()) req.set(boost::beast::http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::set_min_level(log::Level::critical);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using Verb = hub::http::Verb;
  FuzzedDataProvider input(data, size);
  auto& h = harness();
  for (const char* vm : fuzz::kAgentNames) {
    const bool connected = input.ConsumeBool();
    json state = json::parse(input.ConsumeRandomLengthString(), nullptr, false);
    // AgentSession's checks before it stores a state: an object naming this VM, if any.
    if (!connected || !state.is_object()) {
      h.set_agent(vm, std::nullopt);
      continue;
    }
    if (const auto it = state.find("vm"); it != state.end() && (!it->is_string() || *it != vm)) continue;
    h.set_agent(vm, state);
  }
  std::deque<json> answers;
  const json parsed = json::parse(input.ConsumeRemainingBytesAsString(), nullptr, false);
  if (parsed.is_array()) answers.assign(parsed.begin(), parsed.end());
  h.set_answers(answers);

  for (const auto& target : {"/agents", "/agents/vm1", "/vms", "/vms/vm2", "/metrics", "/health"}) {
    (void)h.call(request(Verb::get, target));
  }
  (void)h.call(request(Verb::get, "/swarm"));
  h.set_answers(answers);
  (void)h.call(request(Verb::post, "/swarm/sync"));
  h.set_answers(answers);
  (void)h.call(request(Verb::post, "/rotations", R"({"kind":"docker-tls","max_parallel":3})"));
  h.set_answers(answers);
  (void)h.call(request(Verb::post, "/rotations", R"({"kind":"identity","max_parallel":3})"));
  (void)h.call(request(Verb::get, "/rotations"));
  return 0;
}
