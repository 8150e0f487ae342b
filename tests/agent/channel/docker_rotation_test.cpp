#include "agent/channel/docker_rotation.hpp"

#include "shared/fs/fake_file_system.hpp"
#include "shared/pki/certificate_request.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent {
namespace {

TEST(DockerRotationTest, RotationIdsAreSafeFileNames) {
  for (const char* good : {"rot-1764586200-1a2b3c4d", "a", "A.b_c-9"}) EXPECT_TRUE(valid_rotation_id(good)) << good;
  for (const char* bad : {"", ".", "..", "../x", "a/b", "a b", "$(id)", "x\n"}) {
    EXPECT_FALSE(valid_rotation_id(bad)) << bad;
  }
  EXPECT_FALSE(valid_rotation_id(std::string(65, 'a')));
}

TEST(DockerRotationTest, RequestsClaimTheVmLoopbackAndTheChannelAddressOnly) {
  const auto requests = make_rotation_requests("vm1", "10.77.0.11");
  ASSERT_TRUE(requests) << requests.error().to_string();
  const auto server = pki::CertificateRequest::from_pem(requests->server_csr_pem).value().facts();
  EXPECT_EQ(server.common_name, "vm1");
  EXPECT_EQ(server.dns_names, (std::vector<std::string>{"vm1", "localhost"}));
  EXPECT_EQ(server.ip_addresses, (std::vector<std::string>{"127.0.0.1", "::1", "10.77.0.11"}));
  const auto client = pki::CertificateRequest::from_pem(requests->client_csr_pem).value().facts();
  EXPECT_EQ(client.common_name, "vm1");
  EXPECT_TRUE(client.dns_names.empty());
  EXPECT_TRUE(client.ip_addresses.empty());
  EXPECT_NE(requests->server_key_pem, requests->client_key_pem);

  const auto on_loopback = make_rotation_requests("vm1", "127.0.0.1");
  ASSERT_TRUE(on_loopback);
  EXPECT_EQ(pki::CertificateRequest::from_pem(on_loopback->server_csr_pem).value().facts().ip_addresses,
            (std::vector<std::string>{"127.0.0.1", "::1"}));
}

TEST(DockerRotationTest, UnderARootWithoutRestartCommandsARotationIsRefused) {
  AgentConfig config;
  config.root = "/tmp/vm1";
  auto refused = rotation_apply_settings(config);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "no_restart_command");

  config.root.clear();
  auto real = rotation_apply_settings(config);
  ASSERT_TRUE(real);
  EXPECT_EQ(real->restart_commands.size(), 2u) << "daemon-reload, then restart docker";
  EXPECT_EQ(real->listen, "tcp://0.0.0.0:2376");

  config.root = "/tmp/vm1";
  config.docker.restart_commands = {{"/usr/local/bin/restart-dockerd"}};
  config.docker.listen = "tcp://127.0.0.1:12376";
  auto configured = rotation_apply_settings(config);
  ASSERT_TRUE(configured);
  EXPECT_EQ(configured->restart_commands, config.docker.restart_commands);
  EXPECT_EQ(configured->listen, "tcp://127.0.0.1:12376");
  EXPECT_EQ(configured->state_dir, config.state_dir);
}

TEST(DockerRotationTest, OutcomesAreRecordedPerIdAndSurviveARestart) {
  fs::FakeFileSystem fs;
  RotationOutcome done;
  done.succeeded = true;
  done.old_serial = "0A";
  done.new_serial = "0B";
  done.not_after = "2027-03-01T00:00:00Z";
  {
    RotationOutcomes outcomes(fs, "/state");
    EXPECT_FALSE(outcomes.find("rot-1"));
    ASSERT_TRUE(outcomes.save("rot-1", done));
  }
  RotationOutcomes again(fs, "/state");
  const auto found = again.find("rot-1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->succeeded);
  EXPECT_EQ(found->new_serial, "0B");
  EXPECT_EQ(found->result_body("rot-1"),
            (nlohmann::json{{"rotation_id", "rot-1"}, {"old_serial", "0A"}, {"new_serial", "0B"},
                            {"not_after", "2027-03-01T00:00:00Z"}}));
  EXPECT_EQ(fs.stat("/state/rotations/rot-1.json").value().mode & 0777, 0600u);
  EXPECT_FALSE(again.find("rot-2"));
  EXPECT_FALSE(again.save("../escape", done));
  EXPECT_FALSE(again.find("../rot-1"));
}

TEST(DockerRotationTest, ADamagedRecordIsNotAnOutcome) {
  fs::FakeFileSystem fs;
  fs.put("/state/rotations/rot-1.json", "{not json");
  fs.put("/state/rotations/rot-2.json", R"({"succeeded":"yes"})");
  RotationOutcomes outcomes(fs, "/state");
  EXPECT_FALSE(outcomes.find("rot-1"));
  EXPECT_FALSE(outcomes.find("rot-2"));
}

}  // namespace
}  // namespace phoenix::agent
