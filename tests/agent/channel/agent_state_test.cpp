#include "agent/channel/agent_state.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

AgentStateInputs sample() {
  AgentStateInputs in;
  in.agent_version = "0.1.0";
  in.vm = "vm1";
  in.engine = {true, "20.10.24", "1.41", ""};
  in.identity = CertObservation{"ABC123", pki::TimePoint{std::chrono::seconds{1'796'205'600}}};
  in.contexts = {{"root", true, true}};
  in.docker_host_findings = {{"/etc/environment", 3, "tcp://10.0.0.111:2376"}};
  in.swarm = SwarmObservation{"node1", "inactive", false};
  return in;
}

TEST(AgentState, HasTheProtocolShape) {
  const auto state = build_agent_state(sample());
  EXPECT_EQ(state["agent_version"], "0.1.0");
  EXPECT_EQ(state["vm"], "vm1");
  EXPECT_EQ(state["docker"]["reachable"], true);
  EXPECT_EQ(state["docker"]["version"], "20.10.24");
  EXPECT_EQ(state["docker"]["api_version"], "1.41");
  EXPECT_TRUE(state["docker"]["error"].is_null());
  EXPECT_EQ(state["certs"]["identity"]["serial"], "ABC123");
  EXPECT_EQ(state["certs"]["identity"]["not_after"], "2026-12-02T10:00:00Z");
  EXPECT_TRUE(state["certs"]["docker_server"].is_null());
  EXPECT_TRUE(state["certs"]["docker_client"].is_null());
  EXPECT_EQ(state["contexts"][0], (nlohmann::json{{"user", "root"}, {"present", true}, {"current", true}}));
  EXPECT_EQ(state["docker_host_findings"][0]["file"], "/etc/environment");
  EXPECT_EQ(state["docker_host_findings"][0]["line"], 3);
  EXPECT_EQ(state["docker_host_findings"][0]["value"], "tcp://10.0.0.111:2376");
  EXPECT_EQ(state["swarm"]["node_id"], "node1");
  EXPECT_EQ(state["swarm"]["state"], "inactive");
  EXPECT_EQ(state["swarm"]["control_available"], false);
}

TEST(AgentState, DockerdUnreachableIsReportedNotFatal) {
  const Result<engine::PingResult> ping = make_error("connect_failed", "cannot connect to /run/x.sock: no such file");
  const Result<nlohmann::json> version = make_error("connect_failed", "same");
  const auto engine = observe_engine(ping, version);
  EXPECT_FALSE(engine.reachable);
  EXPECT_EQ(engine.error, "cannot connect to /run/x.sock: no such file");

  auto in = sample();
  in.engine = engine;
  in.swarm.reset();
  const auto state = build_agent_state(in);
  EXPECT_EQ(state["docker"]["reachable"], false);
  EXPECT_TRUE(state["docker"]["version"].is_null());
  EXPECT_TRUE(state["docker"]["api_version"].is_null());
  EXPECT_EQ(state["docker"]["error"], "cannot connect to /run/x.sock: no such file");
  EXPECT_TRUE(state["swarm"].is_null());
}

TEST(AgentState, EngineObservationFromGoodPingAndVersion) {
  engine::PingResult ping;
  ping.negotiated_version = "1.41";
  const auto engine = observe_engine(ping, nlohmann::json{{"Version", "20.10.24"}, {"ApiVersion", "1.41"}});
  EXPECT_TRUE(engine.reachable);
  EXPECT_EQ(engine.version, "20.10.24");
  EXPECT_EQ(engine.api_version, "1.41");
  // /version failing after a good ping: still reachable, just no version.
  const auto partial = observe_engine(ping, Result<nlohmann::json>(make_error("timeout", "slow")));
  EXPECT_TRUE(partial.reachable);
  EXPECT_EQ(partial.version, "");
}

TEST(AgentState, SwarmFromInfo) {
  const auto info = nlohmann::json::parse(
      R"({"Swarm":{"NodeID":"abc","LocalNodeState":"active","ControlAvailable":true}})");
  const auto swarm = observe_swarm(info);
  ASSERT_TRUE(swarm);
  EXPECT_EQ(swarm->node_id, "abc");
  EXPECT_EQ(swarm->state, "active");
  EXPECT_TRUE(swarm->control_available);
  EXPECT_FALSE(observe_swarm(nlohmann::json::object()));
  EXPECT_FALSE(observe_swarm(nlohmann::json::parse(R"({"Swarm":"x"})")));
  EXPECT_FALSE(observe_swarm(nullptr));
  const auto odd = observe_swarm(nlohmann::json::parse(R"({"Swarm":{"NodeID":5,"ControlAvailable":"yes"}})"));
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->node_id, "");
  EXPECT_FALSE(odd->control_available);
}

TEST(AgentState, ChangeDetection) {
  const auto a = build_agent_state(sample());
  EXPECT_TRUE(state_changed(nullptr, a)) << "nothing sent yet on this connection";
  EXPECT_FALSE(state_changed(a, build_agent_state(sample())));
  auto in = sample();
  in.engine.reachable = false;
  in.engine.error = "down";
  EXPECT_TRUE(state_changed(a, build_agent_state(in)));
  in = sample();
  in.docker_host_findings.clear();
  EXPECT_TRUE(state_changed(a, build_agent_state(in)));
  in = sample();
  in.identity->serial = "DEF";
  EXPECT_TRUE(state_changed(a, build_agent_state(in)));
}

}  // namespace
}  // namespace phoenix::agent
