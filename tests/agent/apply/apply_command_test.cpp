// The command line's refusals, in-process: usage errors exit 2 and bad cert files exit 1,
// and neither writes anything under --root. No root, no dockerd, no network needed.
#include "agent/apply/apply_command.hpp"
#include "agent/apply/apply_lock.hpp"

#include "tests/agent/apply/test_material.hpp"

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace phoenix::agent {
namespace {

namespace stdfs = std::filesystem;

class ApplyCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (stdfs::temp_directory_path() / "phx-apply-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    root = dir + "/root";
    stdfs::create_directories(root);
    auto ca = apply::test::make_ca();
    files = apply::test::good_files(ca);
    write_files(files);
  }
  void TearDown() override {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }

  void write_files(const apply::CertFiles& f) {
    std::ofstream(dir + "/ca.pem") << f.ca_pem;
    std::ofstream(dir + "/s.pem") << f.server_cert_pem;
    std::ofstream(dir + "/s.key") << f.server_key_pem;
    std::ofstream(dir + "/c.pem") << f.client_cert_pem;
    std::ofstream(dir + "/c.key") << f.client_key_pem;
  }

  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> a{"--ca", dir + "/ca.pem", "--server-cert", dir + "/s.pem", "--server-key",
                               dir + "/s.key", "--client-cert", dir + "/c.pem", "--client-key", dir + "/c.key",
                               "--root", root};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  bool root_untouched() const { return stdfs::is_empty(root); }

  std::string dir, root;
  apply::CertFiles files;
};

TEST_F(ApplyCommand, UnderRootTheRestartCommandIsRequired) {
  EXPECT_EQ(run_apply_command(args({})), 2);
  EXPECT_TRUE(root_untouched());
}

TEST_F(ApplyCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(run_apply_command({"--ca", dir + "/ca.pem"}), 2);
  EXPECT_EQ(run_apply_command(args({"--restart-command", "/bin/true", "--listen", "unix:///x"})), 2);
  EXPECT_EQ(run_apply_command(args({"--restart-command", "\"unterminated"})), 2);
  EXPECT_EQ(run_apply_command(args({"--restart-command", "/bin/true", "--verify-timeout", "0"})), 2);
  EXPECT_EQ(run_apply_command(args({"--restart-command", "/bin/true", "--docker-socket", "rel.sock"})), 2);
  EXPECT_TRUE(root_untouched());
}

TEST_F(ApplyCommand, AMismatchedKeyExitsOneAndWritesNothing) {
  auto bad = files;
  bad.server_key_pem = files.client_key_pem;
  write_files(bad);
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_apply_command(args({"--restart-command", "/bin/true"})), 1);
  const auto err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("server_key_mismatch"), std::string::npos) << err;
  EXPECT_TRUE(root_untouched());
}

TEST_F(ApplyCommand, AMissingFileExitsOneNamingIt) {
  stdfs::remove(dir + "/c.key");
  testing::internal::CaptureStderr();
  EXPECT_EQ(run_apply_command(args({"--restart-command", "/bin/true"})), 1);
  const auto err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("--client-key " + dir + "/c.key"), std::string::npos) << err;
  EXPECT_TRUE(root_untouched());
}

TEST_F(ApplyCommand, OneApplyAtATime) {
  auto first = apply::ApplyLock::acquire(dir + "/state");
  ASSERT_TRUE(first) << first.error().to_string();
  auto second = apply::ApplyLock::acquire(dir + "/state");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, "apply_busy");
  { auto moved = std::move(*first); }  // released when the holder goes away
  EXPECT_TRUE(apply::ApplyLock::acquire(dir + "/state"));
  EXPECT_EQ(stdfs::status(dir + "/state").permissions() & stdfs::perms::all, stdfs::perms::owner_all);
}

}  // namespace
}  // namespace phoenix::agent
