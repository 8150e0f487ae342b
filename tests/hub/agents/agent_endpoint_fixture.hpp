#pragma once
// The agent endpoint test fixture: a real endpoint on loopback with a throw-away PKI and
// store, and helpers to connect enrolled agents or expect a refusal.
#include "tests/hub/agents/agents_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace phoenix::hub::test {

class AgentEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store = std::shared_ptr<HubStore>(HubStore::open(dir.path() + "/hub.db").value());
    hub = std::make_unique<RunningEndpoint>(pki, store);
  }
  void TearDown() override { hub.reset(); }

  std::string ca_pem() const { return pki.identity_ca.certificate().to_pem(); }

  // Connects with `identity` and expects the channel to be refused (no usable channel).
  void expect_refused(const KeyAndCert* identity, const std::vector<std::string>& log_parts) {
    WsClient client(hub->port(), ca_pem(), identity);
    auto connected = client.connect();
    EXPECT_FALSE(connected) << "the channel was opened";
    EXPECT_TRUE(logs.wait_for(log_parts)) << "missing log line; log was:\n" << logs.all();
    EXPECT_EQ(hub->registry().size(), 0u);
  }

  // An enrolled agent's open channel, after a hello the hub has stored.
  std::unique_ptr<WsClient> connect_agent(const KeyAndCert& identity, const std::string& vm) {
    auto client = std::make_unique<WsClient>(hub->port(), ca_pem(), &identity);
    auto connected = client->connect();
    EXPECT_TRUE(connected) << (connected ? "" : connected.error().to_string());
    const auto hello_id = "hello-" + std::to_string(++hellos_);
    EXPECT_TRUE(client->send(hello_message(vm, hello_id)));
    EXPECT_TRUE(wait_until([&] {
      const auto agent = hub->registry().find(vm);
      return agent && agent->last_state.is_object() &&
             agent->last_state.value("test_hello_id", "") == hello_id;
    }));
    return client;
  }

  template <class Predicate>
  static bool wait_until(Predicate predicate, std::chrono::milliseconds timeout = 1500ms) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  std::string enroll_body(const std::string& secret, const std::string& vm, const std::string& csr) {
    return nlohmann::json{{"token_secret", secret}, {"vm", vm}, {"csr", csr}}.dump();
  }

  int hellos_ = 0;
  LogCapture logs;
  TestPki pki;
  TempDir dir;
  std::shared_ptr<HubStore> store;
  std::unique_ptr<RunningEndpoint> hub;
};

}  // namespace phoenix::hub::test
