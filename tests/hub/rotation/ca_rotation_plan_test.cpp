#include "hub/rotation/ca_rotation_plan.hpp"

#include "tests/hub/store/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

namespace phoenix::hub {
namespace {

using Names = std::vector<std::string>;

TEST(CaRotationPlan, TheNewCaIsTrustedBeforeItSignsAndTheOldDroppedLast) {
  const auto forward = ca_plan("forward");
  ASSERT_EQ(forward.size(), 3u);
  EXPECT_EQ(trust_for_phase(forward[0], "old", "new"), (DockerTrustState{"old", Names{"old", "new"}}));
  EXPECT_EQ(trust_for_phase(forward[1], "old", "new"), (DockerTrustState{"new", Names{"old", "new"}}));
  EXPECT_EQ(trust_for_phase(forward[2], "old", "new"), (DockerTrustState{"new", Names{"new"}}));
  // Whatever signs is trusted in every phase of both plans.
  for (const char* plan : {"forward", "rollback"}) {
    for (const auto& phase : ca_plan(plan)) {
      const auto state = trust_for_phase(phase, "old", "new");
      EXPECT_NE(std::find(state.trusted.begin(), state.trusted.end(), state.signing), state.trusted.end())
          << plan << " " << phase.name;
    }
  }
}

TEST(CaRotationPlan, RollbackSignsWithTheOldCaAgainThenDropsTheNew) {
  const auto rollback = ca_plan("rollback");
  ASSERT_EQ(rollback.size(), 2u);
  EXPECT_EQ(trust_for_phase(rollback[0], "old", "new"), (DockerTrustState{"old", Names{"old", "new"}}));
  EXPECT_EQ(trust_for_phase(rollback[1], "old", "new"), (DockerTrustState{"old", Names{"old"}}));
  EXPECT_TRUE(can_roll_back("forward", 0));
  EXPECT_TRUE(can_roll_back("forward", 1));
  EXPECT_FALSE(can_roll_back("forward", 2)) << "drop_old started: some VMs no longer trust the old CA";
  EXPECT_FALSE(can_roll_back("rollback", 0));
  EXPECT_TRUE(ca_plan("sideways").empty());
  EXPECT_EQ(phase_rotation_id("rot-1", ca_plan("forward")[1]), "rot-1.sign_new");
}

TEST(DockerTrustTest, DefaultsToTheInitCaAndPersistsChanges) {
  testing::TempDir dir;
  auto ca = pki::CertificateAuthority::create("docker", std::chrono::hours(24)).value();
  std::ofstream(dir.file("docker-ca.pem")) << ca.certificate().to_pem();
  std::ofstream(dir.file("docker-ca.key")) << ca.key().to_pem();
  auto trust = DockerTrust::load(dir.path(), std::chrono::hours(1));
  ASSERT_TRUE(trust) << trust.error().to_string();
  EXPECT_EQ((*trust)->state(), (DockerTrustState{"docker-ca", Names{"docker-ca"}}));
  EXPECT_EQ((*trust)->bundle_pem(), ca.certificate().to_pem());

  ASSERT_TRUE((*trust)->create_ca("docker-ca-2", std::chrono::hours(24)));
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("docker-ca-2.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE((*trust)->set({"docker-ca-9", {"docker-ca"}})) << "an unknown CA cannot sign";
  ASSERT_TRUE((*trust)->set({"docker-ca-2", {"docker-ca", "docker-ca-2"}}));
  EXPECT_EQ(pki::certificates_from_pem((*trust)->bundle_pem()).value().size(), 2u);

  auto again = DockerTrust::load(dir.path(), std::chrono::hours(1));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ((*again)->state(), (DockerTrustState{"docker-ca-2", Names{"docker-ca", "docker-ca-2"}}));
  EXPECT_FALSE((*again)->create_ca("../x", std::chrono::hours(1)));
}

}  // namespace
}  // namespace phoenix::hub
