#include "agent/channel/agent_state.hpp"

namespace phoenix::agent {
namespace {

nlohmann::json cert_json(const std::optional<CertObservation>& cert) {
  if (!cert) return nullptr;
  return {{"serial", cert->serial}, {"not_after", pki::format_utc(cert->not_after)}};
}

std::string string_field(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

EngineObservation observe_engine(const Result<engine::PingResult>& ping,
                                 const Result<nlohmann::json>& version) {
  EngineObservation out;
  if (!ping) {
    out.error = ping.error().message.empty() ? ping.error().code : ping.error().message;
    return out;
  }
  out.reachable = true;
  out.api_version = ping->negotiated_version;
  if (version) {
    out.version = string_field(*version, "Version");
    if (out.api_version.empty()) out.api_version = string_field(*version, "ApiVersion");
  }
  return out;
}

std::optional<SwarmObservation> observe_swarm(const nlohmann::json& info) {
  if (!info.is_object()) return std::nullopt;
  const auto swarm = info.find("Swarm");
  if (swarm == info.end() || !swarm->is_object()) return std::nullopt;
  SwarmObservation out;
  out.node_id = string_field(*swarm, "NodeID");
  out.state = string_field(*swarm, "LocalNodeState");
  const auto control = swarm->find("ControlAvailable");
  out.control_available = control != swarm->end() && control->is_boolean() && control->get<bool>();
  return out;
}

nlohmann::json build_agent_state(const AgentStateInputs& in) {
  nlohmann::json docker = {{"reachable", in.engine.reachable}};
  docker["version"] = in.engine.version.empty() ? nlohmann::json(nullptr) : nlohmann::json(in.engine.version);
  docker["api_version"] =
      in.engine.api_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(in.engine.api_version);
  docker["error"] = in.engine.reachable ? nlohmann::json(nullptr) : nlohmann::json(in.engine.error);

  nlohmann::json contexts = nlohmann::json::array();
  for (const auto& c : in.contexts) {
    contexts.push_back({{"user", c.user}, {"present", c.present}, {"current", c.current}});
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : in.docker_host_findings) {
    findings.push_back({{"file", f.file}, {"line", f.line}, {"value", f.value}});
  }
  nlohmann::json swarm = nullptr;
  if (in.swarm) {
    swarm = {{"node_id", in.swarm->node_id},
             {"state", in.swarm->state},
             {"control_available", in.swarm->control_available}};
  }
  return {{"agent_version", in.agent_version},
          {"vm", in.vm},
          {"docker", std::move(docker)},
          {"certs",
           {{"identity", cert_json(in.identity)},
            {"docker_server", cert_json(in.docker_server)},
            {"docker_client", cert_json(in.docker_client)}}},
          {"contexts", std::move(contexts)},
          {"docker_host_findings", std::move(findings)},
          {"swarm", std::move(swarm)}};
}

bool state_changed(const nlohmann::json& previous, const nlohmann::json& current) {
  return previous.is_null() || previous != current;
}

}  // namespace phoenix::agent
