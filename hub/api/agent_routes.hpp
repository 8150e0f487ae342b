#pragma once
// The agent side of the HTTP API (SPEC "HTTP API"): GET /agents, GET /agents/{name},
// POST /agents/{name}/revoke and POST /enroll-tokens, plus the "agent" facts that
// GET /vms and GET /vms/{name} merge into each VM.
//
// Threading: every HubStore call goes through AgentApi::run_blocking, which in `serve` is a
// one-thread pool off the io threads: SQLite may wait up to its busy timeout while
// `phoenix-hub token create` / `revoke` hold the write lock, and the io threads must never
// stall on that. Registry snapshots are in-memory and cheap, so they run wherever.
#include "hub/agents/agent_registry.hpp"
#include "hub/http/router.hpp"
#include "hub/store/hub_store.hpp"
#include "shared/fs/file_system.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace phoenix::hub::api {

inline constexpr int kMinEnrollTtlSeconds = 60;
inline constexpr int kMaxEnrollTtlSeconds = 7 * 24 * 3600;
inline constexpr int kDefaultEnrollTtlSeconds = 3600;

struct AgentApi {
  std::shared_ptr<AgentRegistry> registry;
  std::shared_ptr<HubStore> store;
  std::shared_ptr<const fs::FileSystem> fs;  // reads the identity CA for token fingerprints
  std::string identity_ca_cert_path;
  std::optional<std::string> public_url;  // agent_endpoint.public_url; tokens need it
  // Runs `work` where blocking is fine (and may run it later, on another thread).
  std::function<void(std::function<void()> work)> run_blocking;
  std::function<StoreTime()> now = [] { return std::chrono::system_clock::now(); };
  // Runs after a revocation through the API has been stored and the VM's connection closed
  // (the swarm's managers forget its node, in the background). Revocation never waits on the
  // revoked VM, nor on the swarm: the operator's answer comes at once. Empty: nothing more.
  std::function<void(const std::string& vm)> after_revoke;
};

void add_agent_routes(http::Router& router, std::shared_ptr<const AgentApi> api);

// One agent as the API shows it: the store's record, with `connected` and `state` taken
// from the live registry when the agent is connected right now.
nlohmann::json agent_to_json(const AgentRecord& record, const std::optional<ConnectedAgent>& live);

// The "agent" object merged into a VM: null when `record` is empty (never enrolled).
nlohmann::json vm_agent_facts(const std::optional<AgentRecord>& record,
                              const std::optional<ConnectedAgent>& live);

// Adds "agent" to each VM object of `vms` (an object or an array of objects) from the
// store and the registry. Blocking (a store read): call it through run_blocking.
Result<void> merge_agent_facts(const AgentApi& api, nlohmann::json& vms);

// Parses the POST /enroll-tokens body: {"vm":"vm1","ttl_s":3600}, ttl_s optional.
struct EnrollTokenRequest {
  std::string vm;
  int ttl_s = kDefaultEnrollTtlSeconds;
};
Result<EnrollTokenRequest> parse_enroll_token_request(const std::string& body);

}  // namespace phoenix::hub::api
