// The channel's requests and commands over real TLS on loopback: identity renewal, docker
// certificates signed only inside a rotation the hub started, and hub commands answered or
// timed out.
#include "tests/hub/agents/agent_endpoint_fixture.hpp"

#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>

#include <future>

namespace phoenix::hub::test {
namespace {

TEST_F(AgentEndpointTest, IdentityRenewalReturnsSameCnAndNewSerial) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  pki::PrivateKey key = pki::PrivateKey::generate_p256().value();
  nlohmann::json request = {{"v", 1}, {"type", "sign_request"}, {"id", "a-5"},
                            {"body", {{"kind", "identity"}, {"csr", make_csr("vm1", &key)}}}};
  ASSERT_TRUE(client->send(request.dump()));
  auto result = client->read_type("result");
  ASSERT_TRUE(result) << result.error().to_string();
  EXPECT_EQ((*result)["re"], "a-5");
  auto cert = pki::Certificate::from_pem((*result)["body"]["cert"].get<std::string>()).value();
  EXPECT_EQ(cert.facts().subject_cn, "vm1");
  EXPECT_NE(cert.facts().serial_hex, identity.cert.facts().serial_hex);
  EXPECT_EQ(store->get_agent("vm1").value()->cert_serial, cert.facts().serial_hex);

  // A CSR for another name is refused over the channel too.
  request["id"] = "a-6";
  request["body"]["csr"] = make_csr("vm2");
  ASSERT_TRUE(client->send(request.dump()));
  auto error = client->read_type("error");
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["body"]["code"], "name_not_allowed");

  // The renewed identity opens the channel, and supersedes the one opened with the old cert.
  auto renewed = connect_agent(KeyAndCert{key, cert}, "vm1");
  EXPECT_EQ(hub->registry().find("vm1")->cert_serial, cert.facts().serial_hex);
  EXPECT_FALSE(client->read(1s));
  EXPECT_EQ(client->close_code(), 1000);
  EXPECT_EQ(hub->registry().size(), 1u);
}

// Issue 13: root in one VM must not obtain docker certificates at will. The hub signs a dockerd
// server cert only while a rotate_docker_tls it sent is open, once, and no client certs at all.
TEST_F(AgentEndpointTest, DockerCertsAreSignedOnlyInsideARotationTheHubStarted) {
  TempDir ca_dir;
  fs::RealFileSystem files;
  ASSERT_TRUE(files.write_file_atomic(ca_dir.path() + "/docker-ca.pem", pki.docker_ca.certificate().to_pem()));
  ASSERT_TRUE(files.write_file_atomic(ca_dir.path() + "/docker-ca.key", pki.docker_ca.key().to_pem()));
  auto trust = DockerTrust::load(ca_dir.path(), 24h);
  ASSERT_TRUE(trust) << trust.error().to_string();
  hub.reset();
  hub = std::make_unique<RunningEndpoint>(pki, store, *trust);
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  int next = 0;
  auto sign = [&](const char* kind) {
    const nlohmann::json request = {{"v", 1}, {"type", "sign_request"}, {"id", "a-" + std::to_string(++next)},
                                    {"body", {{"kind", kind}, {"csr", make_csr("vm1")}}}};
    EXPECT_TRUE(client->send(request.dump()));
    for (;;) {
      auto answer = client->read(1500ms);
      if (!answer) return nlohmann::json{{"type", "none"}};
      const auto j = nlohmann::json::parse(*answer);
      if (j.value("re", "") == request["id"]) return j;
    }
  };
  auto code_of = [](const nlohmann::json& answer) { return answer["body"].value("code", answer.value("type", "")); };

  EXPECT_EQ(code_of(sign("docker_server")), "not_in_rotation");
  EXPECT_EQ(code_of(sign("docker_client")), "client_certs_made_in_vm");

  std::promise<Result<nlohmann::json>> answered;
  hub->registry().send_command("vm1", protocol::MessageType::rotate_docker_tls, {{"rotation_id", "r-1"}},
                               [&](Result<nlohmann::json> r) { answered.set_value(std::move(r)); }, 5s);
  auto command = client->read_type("rotate_docker_tls");
  ASSERT_TRUE(command) << command.error().to_string();
  const auto signed_answer = sign("docker_server");
  ASSERT_EQ(signed_answer.value("type", ""), "result") << signed_answer.dump();
  const auto cert = pki::Certificate::from_pem(signed_answer["body"]["cert"].get<std::string>()).value();
  EXPECT_EQ(cert.facts().subject_cn, "vm1");
  EXPECT_EQ(signed_answer["body"]["operator_ca"], (*trust)->operator_ca_pem());
  EXPECT_EQ(code_of(sign("docker_server")), "already_signed");
  EXPECT_EQ(code_of(sign("docker_client")), "client_certs_made_in_vm");

  // The agent answers the command: the rotation is closed, and so is the gate.
  const nlohmann::json done = {{"v", 1}, {"type", "result"}, {"id", "a-99"}, {"re", (*command)["id"]},
                               {"body", {{"rotation_id", "r-1"}}}};
  ASSERT_TRUE(client->send(done.dump()));
  auto future = answered.get_future();
  ASSERT_EQ(future.wait_for(3s), std::future_status::ready);
  EXPECT_TRUE(future.get());
  EXPECT_EQ(code_of(sign("docker_server")), "not_in_rotation");
}

TEST_F(AgentEndpointTest, CommandsAreAnsweredOrTimeOut) {
  auto identity = enroll_directly(pki, *store, "vm1");
  auto client = connect_agent(identity, "vm1");
  std::promise<Result<nlohmann::json>> answered;
  hub->registry().send_command("vm1", protocol::MessageType::renew_identity, nlohmann::json::object(),
                               [&](Result<nlohmann::json> r) { answered.set_value(std::move(r)); }, 2s);
  auto command = client->read_type("renew_identity");
  ASSERT_TRUE(command);
  nlohmann::json reply = {{"v", 1}, {"type", "result"}, {"id", "a-3"}, {"re", (*command)["id"]},
                          {"body", {{"done", true}}}};
  ASSERT_TRUE(client->send(reply.dump()));
  auto future = answered.get_future();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  auto result = future.get();
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["done"], true);

  std::promise<Result<nlohmann::json>> timed_out;
  hub->registry().send_command("vm1", protocol::MessageType::renew_identity, nlohmann::json::object(),
                               [&](Result<nlohmann::json> r) { timed_out.set_value(std::move(r)); }, 100ms);
  auto late = timed_out.get_future();
  ASSERT_EQ(late.wait_for(1s), std::future_status::ready);
  auto timeout = late.get();
  ASSERT_FALSE(timeout);
  EXPECT_EQ(timeout.error().code, "command_timeout");

  std::promise<Result<nlohmann::json>> absent;
  hub->registry().send_command("nobody", protocol::MessageType::renew_identity, {},
                               [&](Result<nlohmann::json> r) { absent.set_value(std::move(r)); });
  auto none = absent.get_future();
  ASSERT_EQ(none.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(none.get().error().code, "agent_not_connected");
}

}  // namespace
}  // namespace phoenix::hub::test
