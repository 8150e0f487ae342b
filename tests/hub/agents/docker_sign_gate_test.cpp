#include "hub/agents/docker_sign_gate.hpp"

#include <gtest/gtest.h>

namespace phoenix::hub {
namespace {

TEST(DockerSignGateTest, NothingIsSignedOutsideARotationTheHubStarted) {
  DockerSignGate gate;
  auto refused = gate.admit("docker_server");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "not_in_rotation");
}

TEST(DockerSignGateTest, ClientCertsAreNeverSigned) {
  DockerSignGate gate;
  gate.rotation_opened("h-1");
  auto refused = gate.admit("docker_client");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "client_certs_made_in_vm");
  EXPECT_TRUE(gate.admit("docker_server"));  // the client refusal spent nothing
}

TEST(DockerSignGateTest, OneServerCertPerOpenRotationCommand) {
  DockerSignGate gate;
  gate.rotation_opened("h-1");
  EXPECT_TRUE(gate.admit("docker_server"));
  auto again = gate.admit("docker_server");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "already_signed");
  gate.rotation_opened("h-2");  // the hub repeated the command (a retry after a timeout)
  EXPECT_TRUE(gate.admit("docker_server"));
  EXPECT_FALSE(gate.admit("docker_server"));
}

TEST(DockerSignGateTest, AnAnsweredOrTimedOutCommandClosesTheGate) {
  DockerSignGate gate;
  gate.rotation_opened("h-1");
  gate.rotation_closed("h-1");
  EXPECT_EQ(gate.admit("docker_server").error().code, "not_in_rotation");
  gate.rotation_opened("h-2");
  gate.rotation_opened("h-3");
  EXPECT_TRUE(gate.admit("docker_server"));
  EXPECT_TRUE(gate.admit("docker_server"));
  gate.rotation_closed("h-2");
  EXPECT_EQ(gate.admit("docker_server").error().code, "already_signed");
  gate.rotation_closed("h-3");
  gate.rotation_closed("h-unknown");
  EXPECT_EQ(gate.open_rotations(), 0u);
  EXPECT_EQ(gate.admit("docker_server").error().code, "not_in_rotation");
  EXPECT_EQ(gate.admit("identity").error().code, "unsupported_kind");
}

}  // namespace
}  // namespace phoenix::hub
