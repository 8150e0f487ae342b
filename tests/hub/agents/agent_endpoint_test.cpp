// The agent endpoint over real TLS on loopback: refusals at the handshake and at the
// upgrade (each logged with its reason), enrollment and its token errors, the channel's
// message handling, revocation and hub restart (the channel's requests and commands:
// agent_channel_requests_test.cpp).
#include "tests/hub/agents/agent_endpoint_fixture.hpp"
#include "tests/hub/agents/hostile_csr.hpp"

#include "shared/pki/digest.hpp"

#include <gtest/gtest.h>
#include <openssl/asn1.h>
#include <sqlite3.h>

namespace phoenix::hub::test {
namespace {

// --- refusals ---

TEST_F(AgentEndpointTest, NoClientCertIsRefusedAtTheUpgrade) {
  WsClient client(hub->port(), ca_pem(), nullptr);
  auto connected = client.connect();
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error().code, "http");
  EXPECT_NE(connected.error().message.find("401"), std::string::npos);
  EXPECT_NE(connected.error().message.find("client_cert_required"), std::string::npos);
  EXPECT_TRUE(logs.wait_for({"refused", "client_cert_required"})) << logs.all();
}

TEST_F(AgentEndpointTest, CertFromAnotherCaFailsTheHandshake) {
  auto other_ca = pki::CertificateAuthority::create("Other CA", std::chrono::hours{24}).value();
  auto identity = TestPki::leaf(other_ca, "vm1");
  enroll_directly(pki, *store, "vm1");
  expect_refused(&identity, {"TLS handshake", "refused", "unknown CA"});
}

TEST_F(AgentEndpointTest, ExpiredCertFailsTheHandshake) {
  auto identity = TestPki::leaf(pki.identity_ca, "vm1", pki::Usage::client_auth,
                                std::chrono::system_clock::now() - std::chrono::hours{24 * 30});
  expect_refused(&identity, {"TLS handshake", "client certificate expired"});
}

TEST_F(AgentEndpointTest, NotYetValidCertFailsTheHandshake) {
  auto identity = TestPki::leaf(pki.identity_ca, "vm1", pki::Usage::client_auth,
                                std::chrono::system_clock::now() + std::chrono::hours{24 * 30});
  expect_refused(&identity, {"TLS handshake", "not yet valid"});
}

TEST_F(AgentEndpointTest, ServerAuthOnlyCertFailsTheHandshake) {
  auto identity = TestPki::leaf(pki.identity_ca, "vm1", pki::Usage::server_auth);
  expect_refused(&identity, {"TLS handshake", "does not allow clientAuth"});
}

TEST_F(AgentEndpointTest, RevokedAgentIsRefusedAtTheUpgrade) {
  auto identity = enroll_directly(pki, *store, "vm1");
  store->revoke("vm1", std::chrono::system_clock::now()).value();
  WsClient client(hub->port(), ca_pem(), &identity);
  auto connected = client.connect();
  ASSERT_FALSE(connected);
  EXPECT_NE(connected.error().message.find("403"), std::string::npos);
  EXPECT_TRUE(logs.wait_for({"refused", "agent_revoked"})) << logs.all();
}

TEST_F(AgentEndpointTest, ValidCertOfAnAgentThatIsNotEnrolledIsRefused) {
  auto identity = TestPki::leaf(pki.identity_ca, "stranger");
  expect_refused(&identity, {"refused", "agent_not_enrolled", "stranger"});
}

// --- enrollment ---

TEST_F(AgentEndpointTest, EnrollmentIssuesAnIdentityThatOpensTheChannel) {
  const auto secret = add_token(*store, "vm1");
  pki::PrivateKey key = pki::PrivateKey::generate_p256().value();
  const auto csr = make_csr("vm1", &key);
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", csr));
  ASSERT_TRUE(answer) << answer.error().to_string();
  ASSERT_EQ(answer->status, 200u) << answer->body.dump();
  EXPECT_EQ(answer->body["ca"], ca_pem());
  EXPECT_EQ(answer->body["docker_ca"], pki.docker_ca.certificate().to_pem());
  auto cert = pki::Certificate::from_pem(answer->body["cert"].get<std::string>()).value();
  const auto facts = cert.facts();
  EXPECT_EQ(facts.subject_cn, "vm1");
  EXPECT_TRUE(facts.has_usage(pki::Usage::client_auth));
  EXPECT_FALSE(facts.has_usage(pki::Usage::server_auth));
  EXPECT_EQ(store->get_agent("vm1").value()->cert_serial, facts.serial_hex);

  KeyAndCert identity{key, cert};
  auto client = connect_agent(identity, "vm1");
  EXPECT_EQ(store->get_agent("vm1").value()->last_state["agent_version"], "0.1.0");
  EXPECT_TRUE(store->get_agent("vm1").value()->connected);
}

TEST_F(AgentEndpointTest, TokenUsedTwiceIsRefused) {
  const auto secret = add_token(*store, "vm1");
  auto first = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm1")));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200u);
  auto second = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm1")));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 401u);
  EXPECT_EQ(second->body["error"]["code"], "token_used");
  EXPECT_TRUE(logs.wait_for({"enrollment", "refused", "token_used"})) << logs.all();
}

TEST_F(AgentEndpointTest, ExpiredTokenIsRefused) {
  const auto secret = pki::random_token(32);
  const auto now = std::chrono::system_clock::now();
  store->add_token(pki::sha256_hex(secret), "vm1", now - std::chrono::hours{2}, now - std::chrono::hours{1}).value();
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm1")));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 401u);
  EXPECT_EQ(answer->body["error"]["code"], "token_expired");
}

TEST_F(AgentEndpointTest, UnknownTokenIsRefused) {
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll",
                           enroll_body(pki::random_token(32), "vm1", make_csr("vm1")));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 401u);
  EXPECT_EQ(answer->body["error"]["code"], "token_invalid");
}

TEST_F(AgentEndpointTest, TokenForVm1WithCsrClaimingVm2IsRefused) {
  const auto secret = add_token(*store, "vm1");
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm2", make_csr("vm2")));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 403u);
  EXPECT_EQ(answer->body["error"]["code"], "name_not_allowed");
  EXPECT_EQ(answer->body["error"]["message"], "token is for vm1, CSR claims vm2");
  EXPECT_FALSE(store->get_agent("vm2").value().has_value());
  EXPECT_FALSE(store->get_agent("vm1").value().has_value());
}

TEST_F(AgentEndpointTest, CsrThatDoesNotMatchTheRequestIsRefusedWithoutSpendingTheToken) {
  const auto secret = add_token(*store, "vm1");
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm2")));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 403u);
  EXPECT_EQ(answer->body["error"]["code"], "name_not_allowed");
  auto retry = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm1")));
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200u) << retry->body.dump();
}

TEST_F(AgentEndpointTest, MalformedEnrollmentBodyIs400) {
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", "{not json");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400u);
  EXPECT_EQ(answer->body["error"]["code"], "invalid_request");
}

// One request used to end the hub: a CSR whose names are not UTF-8 put those bytes into the
// error message, and serialising it threw out of the io loop. Each now gets a 4xx with valid
// JSON, and the hub goes on serving.
TEST_F(AgentEndpointTest, CsrNamesThatAreNotUtf8GetA4xxAndTheHubGoesOn) {
  const auto secret = add_token(*store, "vm1");
  const std::vector<std::string> csrs = {
      make_hostile_csr("vm1", V_ASN1_UTF8STRING, {"\xff"}),            // DNS SAN 0xFF
      make_hostile_csr("vm1", V_ASN1_UTF8STRING, {"vm1", "a\xc3(b"}),  // broken sequence
      make_hostile_csr("vm\xff", V_ASN1_IA5STRING, {"vm1"}),           // CN byte 0xFF
      make_hostile_csr("vm1\n\xff", V_ASN1_T61STRING, {"vm1"}),        // Latin-1 CN, control
  };
  for (const auto& csr : csrs) {
    auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", csr));
    ASSERT_TRUE(answer) << answer.error().to_string();  // a reply, and valid JSON
    EXPECT_GE(answer->status, 400u);
    EXPECT_LT(answer->status, 500u);
  }
  // The token was not spent on any of them, and the hub still enrolls.
  auto good = https_post(hub->port(), ca_pem(), "/agent/v1/enroll", enroll_body(secret, "vm1", make_csr("vm1")));
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_EQ(good->status, 200u) << good->body.dump();
  EXPECT_TRUE(logs.wait_for({"refused", "\\xff"})) << logs.all();
}

// A caller without a token learns nothing of the hub's insides: a broken store is a fixed
// 503 message; what SQLite said is in the log only.
TEST_F(AgentEndpointTest, StoreErrorsAreNotShownToStrangers) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() + "/hub.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE enroll_tokens", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto answer = https_post(hub->port(), ca_pem(), "/agent/v1/enroll",
                           enroll_body(pki::random_token(32), "vm1", make_csr("vm1")));
  ASSERT_TRUE(answer) << answer.error().to_string();
  EXPECT_EQ(answer->status, 503u);
  EXPECT_EQ(answer->body["error"]["code"], "store_unavailable");
  EXPECT_EQ(answer->body["error"]["message"], "the hub cannot use its store right now; try again later");
  EXPECT_EQ(answer->body.dump().find("enroll_tokens"), std::string::npos) << answer->body.dump();
  EXPECT_TRUE(logs.wait_for({"store failed", "enroll_tokens"})) << logs.all();
}

// --- channel ---

// A text frame that is not UTF-8 is a protocol error (RFC 6455: close 1007) for that channel
// only; the agent reconnects and the hub is unharmed.
TEST_F(AgentEndpointTest, AHelloThatIsNotUtf8EndsOnlyThatChannel) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  ASSERT_TRUE(client->send("{\"v\":1,\"type\":\"hello\",\"id\":\"a-9\",\"body\":{\"vm\":\"vm1\",\"x\":\"\xff\"}}"));
  auto read = client->read();
  ASSERT_FALSE(read);
  EXPECT_EQ(client->close_code(), 1007);
  auto again = connect_agent(identity, "vm1");
  EXPECT_TRUE(hub->registry().is_connected("vm1"));
}


TEST_F(AgentEndpointTest, MessageOverOneMebibyteClosesWith1009) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  ASSERT_TRUE(client->send(std::string(1024 * 1024 + 1, 'x')));
  auto read = client->read();
  ASSERT_FALSE(read);
  EXPECT_EQ(client->close_code(), 1009);
  EXPECT_TRUE(wait_until([&] { return !hub->registry().is_connected("vm1"); }));
}

TEST_F(AgentEndpointTest, InvalidJsonAndUnknownTypeGetErrorRepliesAndTheChannelStays) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");

  ASSERT_TRUE(client->send("{this is not json"));
  auto error = client->read_type("error");
  ASSERT_TRUE(error) << error.error().to_string();
  EXPECT_EQ((*error)["body"]["code"], "invalid_json");

  ASSERT_TRUE(client->send(R"({"v":1,"type":"teleport","id":"x-7","body":{}})"));
  error = client->read_type("error");
  ASSERT_TRUE(error) << error.error().to_string();
  EXPECT_EQ((*error)["body"]["code"], "unknown_type");
  EXPECT_EQ((*error)["re"], "x-7");

  nlohmann::json state = {{"v", 1}, {"type", "state"}, {"id", "a-2"},
                          {"body", {{"vm", "vm1"}, {"agent_version", "0.2.0"}}}};
  ASSERT_TRUE(client->send(state.dump()));
  EXPECT_TRUE(wait_until([&] {
    auto agent = store->get_agent("vm1").value();
    return agent && agent->last_state.value("agent_version", "") == "0.2.0";
  }));
  EXPECT_EQ(hub->registry().find("vm1")->last_state["agent_version"], "0.2.0");
}

TEST_F(AgentEndpointTest, RevokeClosesTheLiveConnectionAndAReconnectIsRefused) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  ASSERT_TRUE(hub->registry().is_connected("vm1"));
  ASSERT_TRUE(hub->registry().revoke("vm1"));
  auto read = client->read(1s);
  ASSERT_FALSE(read);
  EXPECT_EQ(client->close_code(), 1008);
  EXPECT_TRUE(wait_until([&] { return !hub->registry().is_connected("vm1"); }));

  WsClient again(hub->port(), ca_pem(), &identity);
  auto connected = again.connect();
  ASSERT_FALSE(connected);
  EXPECT_NE(connected.error().message.find("agent_revoked"), std::string::npos);
}

TEST_F(AgentEndpointTest, NewConnectionOfTheSameAgentReplacesTheOldOne) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto first = connect_agent(identity, "vm1");
  auto second = connect_agent(identity, "vm1");
  auto read = first->read(1s);
  ASSERT_FALSE(read);
  EXPECT_EQ(first->close_code(), 1000);
  EXPECT_EQ(hub->registry().size(), 1u);
  EXPECT_TRUE(second->send(hello_message("vm1", "a-9")));
  EXPECT_TRUE(hub->registry().is_connected("vm1"));
}

TEST_F(AgentEndpointTest, ChannelIsClosedWhenItsIdentityCertExpires) {
  // A 3 s identity: valid at the handshake, expired while the channel is open.
  auto identity = TestPki::leaf(pki.identity_ca, "vm1", pki::Usage::client_auth,
                                std::chrono::system_clock::now(), std::chrono::seconds{3});
  const auto facts = identity.cert.facts();
  store->record_enrollment("vm1", facts.serial_hex, facts.not_after, std::chrono::system_clock::now()).value();
  auto client = connect_agent(identity, "vm1");
  ASSERT_TRUE(hub->registry().is_connected("vm1"));
  // Pings keep an idle channel open well past this (idle_timeout is 30 s).
  auto read = client->read(8s);
  ASSERT_FALSE(read) << "got a message instead of a close: " << *read;
  EXPECT_EQ(client->close_code(), 1008);
  EXPECT_GE(std::chrono::system_clock::now(), facts.not_after);
  EXPECT_TRUE(wait_until([&] { return !hub->registry().is_connected("vm1"); }));
  EXPECT_TRUE(logs.wait_for({"identity of agent vm1", "expired"})) << logs.all();
  const auto why = hub->registry().last_disconnect("vm1");
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->reason.find("expired"), std::string::npos) << why->reason;
}

TEST_F(AgentEndpointTest, HubRestartKeepsTheRegistryAndTheAgentReconnects) {
  auto identity = enroll_directly(pki, *store, "vm1");
  {
    auto client = connect_agent(identity, "vm1");
    std::thread stopper([&] { hub->stop(); });
    auto read = client->read(1s);
    stopper.join();
    ASSERT_FALSE(read);
    EXPECT_EQ(client->close_code(), 1001);
  }
  hub = std::make_unique<RunningEndpoint>(pki, store);
  auto agent = store->get_agent("vm1").value();
  ASSERT_TRUE(agent.has_value());
  EXPECT_FALSE(agent->connected);
  auto client = connect_agent(identity, "vm1");
  EXPECT_TRUE(hub->registry().is_connected("vm1"));
  EXPECT_TRUE(store->get_agent("vm1").value()->connected);
}

}  // namespace
}  // namespace phoenix::hub::test
