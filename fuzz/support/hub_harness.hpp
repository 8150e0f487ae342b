#pragma once
// The hub's HTTP API in memory, for fuzz targets: the real router (make_api_router, every
// route) behind the real Dispatcher (host check, token auth, roles), over a real HubStore and
// CAs in a temp state dir (initialize_hub), a real AgentRegistry, SwarmService and
// RolloutDriver, and fakes where the hub would reach out: a FakeVmService for the VMs and fake
// agent links for vm1..vm3 whose answers to commands come from the target. Everything runs on
// one io_context on the calling thread; store work runs inline.
#include "hub/agents/agent_registry.hpp"
#include "hub/http/http_types.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::fuzz {

namespace http = hub::http;

inline constexpr const char* kAdminToken = "fuzz-admin-token-0123456789abcdef";
inline constexpr const char* kReadToken = "fuzz-read-token-0123456789abcdef";
inline constexpr const char* kAgentNames[] = {"vm1", "vm2", "vm3"};

class HubHarness {
 public:
  // `with_tokens`: the API has a write and a read token (else it is open, loopback only).
  explicit HubHarness(bool with_tokens);
  ~HubHarness();
  HubHarness(const HubHarness&) = delete;
  HubHarness& operator=(const HubHarness&) = delete;

  // Connects `vm` with `state` as its last hello/state (as AgentSession stores it: the
  // registry and the store), or disconnects it when `state` is nullopt.
  void set_agent(const std::string& vm, const std::optional<nlohmann::json>& state);
  // The answers the next commands to any agent get, in order; when none is left, a command
  // fails with agent_disconnected. An answer that is not an object is an `error` reply.
  void set_answers(std::deque<nlohmann::json> answers);

  // Dispatches `request` and runs the hub's work until it is answered (or nothing is left
  // to run). A streamed answer (GET /events) is cancelled after its head.
  std::optional<http::Response> call(const http::Request& request);

  // Runs the work queued so far (background rotations, swarm syncs).
  void drain();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace phoenix::fuzz
