#include "hub/api/agent_routes.hpp"

#include "hub/admin/token_issuer.hpp"
#include "hub/api/error_status.hpp"
#include "hub/http/json_response.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/pki/asn1_time.hpp"

#include <map>

namespace phoenix::hub::api {
namespace {

using http::Respond;
using http::RouteContext;
using http::Status;
using nlohmann::json;

json time_or_null(StoreTime t) {
  if (t == StoreTime{}) return nullptr;
  return pki::format_utc(t);
}

json state_of(const AgentRecord& record, const std::optional<ConnectedAgent>& live) {
  if (live && !live->last_state.is_null()) return live->last_state;
  return record.last_state.is_null() ? json(nullptr) : record.last_state;
}

json member_or(const json& state, const char* key, json fallback) {
  if (state.is_object() && state.contains(key)) return state[key];
  return fallback;
}

std::optional<std::string> checked_name(const RouteContext& context, const Respond& respond) {
  auto name = context.param("name").value_or("");
  if (auto checked = validate_vm_name(name); !checked) {
    respond(error_to_response(checked.error()));
    return std::nullopt;
  }
  return name;
}

Error agent_not_found(const std::string& name) {
  return Error{"agent_not_found", "no agent named \"" + name +
                                      "\" has enrolled: create a token with POST /enroll-tokens"};
}

// One agent's JSON, read from the store (blocking).
Result<json> load_agent(const AgentApi& api, const std::string& name) {
  auto record = api.store->get_agent(name);
  if (!record) return record.error();
  if (!*record) return agent_not_found(name);
  return agent_to_json(**record, api.registry->find(name));
}

void list_agents(const AgentApi& api, const Respond& respond) {
  auto records = api.store->list_agents();
  if (!records) return respond(error_to_response(records.error()));
  auto array = json::array();
  for (const auto& record : *records) array.push_back(agent_to_json(record, api.registry->find(record.name)));
  respond(http::json_response(Status::ok, array));
}

// True when `name` is now revoked (stored, connection closed); the answer is sent either way.
bool revoke_agent(const AgentApi& api, const std::string& name, const Respond& respond) {
  auto known = api.store->get_agent(name);
  if (!known) return respond(error_to_response(known.error())), false;
  if (!*known) return respond(error_to_response(agent_not_found(name))), false;
  // The registry writes the deny list and closes the live connection with 1008 at once.
  if (auto revoked = api.registry->revoke(name); !revoked) return respond(error_to_response(revoked.error())), false;
  auto agent = load_agent(api, name);
  if (!agent) return respond(error_to_response(agent.error())), true;
  respond(http::json_response(Status::ok, *agent));
  return true;
}

void create_token(const AgentApi& api, const EnrollTokenRequest& request, const Respond& respond) {
  if (!api.public_url) {
    return respond(error_to_response(
        Error{"hub_url_unset", "the hub does not know the URL agents dial: set agent_endpoint.public_url "
                               "(wss://HOST:8443) in hub.json and restart phoenix-hub serve"}));
  }
  auto issued = issue_enroll_token(*api.fs, *api.store, api.identity_ca_cert_path, request.vm,
                                   *api.public_url, std::chrono::seconds(request.ttl_s), api.now());
  if (!issued) return respond(error_to_response(issued.error()));
  respond(http::json_response(Status::created, {{"token", issued->text},
                                                {"vm", request.vm},
                                                {"expires_at", pki::format_utc(issued->expires_at)}}));
}

}  // namespace

json agent_to_json(const AgentRecord& record, const std::optional<ConnectedAgent>& live) {
  return {{"name", record.name},
          {"connected", live.has_value()},
          {"first_seen", time_or_null(record.first_seen)},
          {"last_seen", time_or_null(record.last_seen)},
          {"cert_serial", record.cert_serial},
          {"cert_not_after", time_or_null(record.cert_not_after)},
          {"revoked", record.revoked},
          {"state", state_of(record, live)}};
}

json vm_agent_facts(const std::optional<AgentRecord>& record, const std::optional<ConnectedAgent>& live) {
  if (!record) return nullptr;
  const json state = state_of(*record, live);
  return {{"enrolled", true},
          {"connected", live.has_value()},
          {"revoked", record->revoked},
          {"last_seen", time_or_null(record->last_seen)},
          {"docker", member_or(state, "docker", nullptr)},
          {"certs", member_or(state, "certs", nullptr)},
          {"swarm", member_or(state, "swarm", nullptr)},
          {"docker_host_findings", member_or(state, "docker_host_findings", json::array())}};
}

Result<void> merge_agent_facts(const AgentApi& api, json& vms) {
  auto records = api.store->list_agents();
  if (!records) return records.error();
  std::map<std::string, AgentRecord> by_name;
  for (auto& record : *records) by_name.emplace(record.name, std::move(record));
  auto merge_one = [&](json& vm) {
    if (!vm.is_object()) return;
    const std::string name = vm.value("name", "");
    const auto found = by_name.find(name);
    if (found == by_name.end()) {
      vm["agent"] = nullptr;
      return;
    }
    vm["agent"] = vm_agent_facts(found->second, api.registry->find(name));
  };
  if (vms.is_array()) {
    for (auto& vm : vms) merge_one(vm);
  } else {
    merge_one(vms);
  }
  return ok();
}

Result<EnrollTokenRequest> parse_enroll_token_request(const std::string& body) {
  const auto bad = [](const std::string& message) { return make_error("invalid_request", message); };
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return bad("the body must be a JSON object such as {\"vm\":\"vm1\",\"ttl_s\":3600}");
  }
  for (const auto& [key, value] : parsed.items()) {
    if (key != "vm" && key != "ttl_s") return bad("unknown key \"" + key + "\": only vm and ttl_s are allowed");
  }
  EnrollTokenRequest request;
  const auto vm = parsed.find("vm");
  if (vm == parsed.end() || !vm->is_string()) return bad("vm is required and must be a string");
  request.vm = vm->get<std::string>();
  if (auto checked = validate_vm_name(request.vm); !checked) return checked.error();
  if (const auto ttl = parsed.find("ttl_s"); ttl != parsed.end()) {
    if (!ttl->is_number_integer() || ttl->get<std::int64_t>() < kMinEnrollTtlSeconds ||
        ttl->get<std::int64_t>() > kMaxEnrollTtlSeconds) {
      return make_error("invalid_ttl", "ttl_s must be a whole number of seconds from " +
                                           std::to_string(kMinEnrollTtlSeconds) + " to " +
                                           std::to_string(kMaxEnrollTtlSeconds) + " (7 days)");
    }
    request.ttl_s = static_cast<int>(ttl->get<std::int64_t>());
  }
  return request;
}

void add_agent_routes(http::Router& router, std::shared_ptr<const AgentApi> api) {
  using http::Role;
  using http::Verb;

  router.add({Verb::get, "/agents", false, Role::read,
              [api](const http::Request&, const RouteContext&, Respond respond) {
                api->run_blocking([api, respond] { list_agents(*api, respond); });
              }});

  router.add({Verb::get, "/agents/{name}", false, Role::read,
              [api](const http::Request&, const RouteContext& context, Respond respond) {
                auto name = checked_name(context, respond);
                if (!name) return;
                api->run_blocking([api, respond, name = *name] {
                  auto agent = load_agent(*api, name);
                  if (!agent) return respond(error_to_response(agent.error()));
                  respond(http::json_response(Status::ok, *agent));
                });
              }});

  router.add({Verb::post, "/agents/{name}/revoke", false, Role::write,
              [api](const http::Request&, const RouteContext& context, Respond respond) {
                auto name = checked_name(context, respond);
                if (!name) return;
                // Revoke first: stored and disconnected now; the swarm's clean-up follows.
                api->run_blocking([api, respond, name = *name] {
                  if (revoke_agent(*api, name, respond) && api->after_revoke) api->after_revoke(name);
                });
              }});

  router.add({Verb::post, "/enroll-tokens", false, Role::write,
              [api](const http::Request& request, const RouteContext&, Respond respond) {
                // The server already refused bodies over 64 KiB (413).
                auto parsed = parse_enroll_token_request(request.body());
                if (!parsed) return respond(error_to_response(parsed.error()));
                api->run_blocking([api, respond, parsed = *parsed] { create_token(*api, parsed, respond); });
              }});
}

}  // namespace phoenix::hub::api
