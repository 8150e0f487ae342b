#pragma once
// The AgentState object the agent sends as `hello` on connect and as `state` whenever it
// changes (docs/agent-protocol.md "Channel"). Built here from plain observations, so the
// report is tested without dockerd, files or certificates; state_collector.hpp gathers
// the observations on the machine. A dockerd that cannot be reached is a fact to report
// (docker.reachable=false with the reason), never a reason to stop the agent.
#include "agent/engine/engine_client.hpp"
#include "shared/core/error.hpp"
#include "shared/pki/asn1_time.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace phoenix::agent {

struct EngineObservation {
  bool reachable = false;
  std::string version;      // /version "Version"
  std::string api_version;  // negotiated
  std::string error;        // why unreachable ("" when reachable)
};

// From the results of EngineClient::ping() and ::version(): unreachable when ping failed
// (its message is the reason); a failed /version after a good ping still counts as
// reachable, without a version.
EngineObservation observe_engine(const Result<engine::PingResult>& ping,
                                 const Result<nlohmann::json>& version);

struct CertObservation {
  std::string serial;  // uppercase hex
  pki::TimePoint not_after{};
};

struct ContextObservation {
  std::string user;
  bool present = false;
  bool current = false;
};

struct DockerHostObservation {
  std::string file;
  int line = 0;
  std::string value;
};

struct SwarmObservation {
  std::string node_id;
  std::string state;  // LocalNodeState: inactive, pending, active, error, locked
  bool control_available = false;
};

// /info's Swarm section; nullopt when the JSON has none.
std::optional<SwarmObservation> observe_swarm(const nlohmann::json& info);

struct AgentStateInputs {
  std::string agent_version;
  std::string vm;
  EngineObservation engine;
  std::optional<CertObservation> identity;
  std::optional<CertObservation> docker_server;
  std::optional<CertObservation> docker_client;
  std::vector<ContextObservation> contexts;
  std::vector<DockerHostObservation> docker_host_findings;
  std::optional<SwarmObservation> swarm;  // null while dockerd is unreachable
};

// The AgentState JSON object of docs/agent-protocol.md.
nlohmann::json build_agent_state(const AgentStateInputs& inputs);

// Whether `current` must be sent as a `state` message after `previous` was sent (a null
// `previous` means nothing was sent on this connection yet).
bool state_changed(const nlohmann::json& previous, const nlohmann::json& current);

}  // namespace phoenix::agent
