#include "agent/docker/docker_host_drift.hpp"

#include "shared/fs/fake_file_system.hpp"

#include <gtest/gtest.h>

namespace phoenix::agent::docker {
namespace {

using S = DriftSource;

class DockerHostDrift : public ::testing::Test {
 protected:
  fs::FakeFileSystem fs;
  SystemPaths paths = SystemPaths::under("/r");
  std::vector<UserAccount> users{{"root", "/r/root", 0, 0}, {"alice", "/r/home/alice", 1000, 1000}};
};

TEST(DockerHostLine, RecognisesShellSpellings) {
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST=tcp://10.0.0.111:2376", S::etc_environment), "tcp://10.0.0.111:2376");
  EXPECT_EQ(docker_host_in_line("  export DOCKER_HOST=\"tcp://x:2376\"", S::user_shell_rc), "tcp://x:2376");
  EXPECT_EQ(docker_host_in_line("export DOCKER_HOST='unix:///s.sock' # note", S::user_shell_rc), "unix:///s.sock");
  EXPECT_EQ(docker_host_in_line("export A=1 DOCKER_HOST=tcp://y:2376; echo hi", S::profile_d), "tcp://y:2376");
  EXPECT_EQ(docker_host_in_line("declare -x DOCKER_HOST=tcp://z", S::user_shell_rc), "tcp://z");
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST=", S::etc_environment), "");
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST=\"\"", S::etc_environment), "");
}

TEST(DockerHostLine, IgnoresCommentsOtherVariablesAndOneShotCommands) {
  EXPECT_EQ(docker_host_in_line("# DOCKER_HOST=tcp://x:2376", S::etc_environment), std::nullopt);
  EXPECT_EQ(docker_host_in_line("   #export DOCKER_HOST=tcp://x:2376", S::user_shell_rc), std::nullopt);
  EXPECT_EQ(docker_host_in_line("# phoenix-disabled: DOCKER_HOST=x", S::etc_environment), std::nullopt);
  EXPECT_EQ(docker_host_in_line("MY_DOCKER_HOST=tcp://x", S::etc_environment), std::nullopt);
  EXPECT_EQ(docker_host_in_line("DOCKER_HOSTNAME=x", S::etc_environment), std::nullopt);
  EXPECT_EQ(docker_host_in_line("unset DOCKER_HOST", S::user_shell_rc), std::nullopt);
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST=tcp://x:2376 docker ps", S::user_shell_rc), std::nullopt);
  EXPECT_EQ(docker_host_in_line("echo $DOCKER_HOST", S::user_shell_rc), std::nullopt);
}

TEST(DockerHostLine, PamEnvironmentAndSystemdSyntax) {
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST DEFAULT=tcp://p:2376", S::pam_environment), "tcp://p:2376");
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST DEFAULT=a OVERRIDE=b", S::pam_environment), "b");
  EXPECT_EQ(docker_host_in_line("DOCKER_HOST=tcp://q", S::pam_environment), "tcp://q");
  EXPECT_EQ(docker_host_in_line("DOCKER_HOSTX DEFAULT=a", S::pam_environment), std::nullopt);
  EXPECT_EQ(docker_host_in_line("Environment=DOCKER_HOST=tcp://u:2376", S::systemd_unit), "tcp://u:2376");
  EXPECT_EQ(docker_host_in_line("Environment=\"DOCKER_HOST=tcp://v:2376\" \"A=b c\"", S::systemd_unit),
            "tcp://v:2376");
  EXPECT_EQ(docker_host_in_line("Environment=\"A=1\"", S::systemd_unit), std::nullopt);
  EXPECT_EQ(docker_host_in_line("ExecStart=/usr/bin/env DOCKER_HOST=x y", S::systemd_unit), std::nullopt);
}

TEST(DockerHostLine, ReasonExplainsPlainHttpToTheTlsPort) {
  const auto reason = explain_docker_host("tcp://10.0.0.111:2376", S::etc_environment);
  EXPECT_NE(reason.find("Client sent an HTTP request to an HTTPS server."), std::string::npos);
  EXPECT_NE(reason.find("DOCKER_CONTEXT"), std::string::npos);
  EXPECT_NE(reason.find("--fix-docker-host"), std::string::npos);
  EXPECT_EQ(explain_docker_host("unix:///x.sock", S::user_shell_rc).find("HTTPS server"), std::string::npos);
  EXPECT_NE(explain_docker_host("", S::user_shell_rc).find("empty"), std::string::npos);
}

TEST_F(DockerHostDrift, FindsEtcEnvironmentWithFileAndLine) {
  fs.put("/r/etc/environment", "PATH=\"/usr/local/bin:/usr/bin\"\nDOCKER_HOST=tcp://10.0.0.111:2376\n");
  const auto findings = scan_docker_host(fs, paths, users);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].file, "/r/etc/environment");
  EXPECT_EQ(findings[0].line_number, 2);
  EXPECT_EQ(findings[0].line_text, "DOCKER_HOST=tcp://10.0.0.111:2376");
  EXPECT_EQ(findings[0].value, "tcp://10.0.0.111:2376");
  EXPECT_EQ(findings[0].source_kind, S::etc_environment);
  EXPECT_NE(findings[0].reason.find("HTTPS server"), std::string::npos);
}

TEST_F(DockerHostDrift, ScansEverySource) {
  fs.put("/r/etc/profile.d/docker.sh", "export DOCKER_HOST=tcp://a:2376\n");
  fs.put("/r/etc/profile.d/zz-legacy", "DOCKER_HOST=tcp://b:2376\n");
  fs.put("/r/etc/default/docker", "#DOCKER_OPTS=\"--dns 8.8.8.8\"\nexport DOCKER_HOST=\n");
  fs.put("/r/root/.bashrc", "alias ll='ls -l'\n  export DOCKER_HOST=tcp://c:2376\n");
  fs.put("/r/home/alice/.zshenv", "DOCKER_HOST=unix:///run/user/1000/docker.sock\n");
  fs.put("/r/home/alice/.pam_environment", "DOCKER_HOST DEFAULT=tcp://d:2376\n");
  fs.put("/r/lib/systemd/system/docker.service", "[Service]\nEnvironment=\"DOCKER_HOST=tcp://e:2376\"\n");
  fs.put("/r/etc/systemd/system/docker.service.d/env.conf", "[Service]\nEnvironment=DOCKER_HOST=tcp://f:2376\n");
  fs.put("/r/home/bob/.bashrc", "export DOCKER_HOST=tcp://not-a-configured-user:2376\n");
  const auto findings = scan_docker_host(fs, paths, users);
  std::vector<std::string> values;
  for (const auto& f : findings) values.push_back(f.value);
  EXPECT_EQ(values, (std::vector<std::string>{"tcp://a:2376", "tcp://b:2376", "", "tcp://c:2376",
                                              "unix:///run/user/1000/docker.sock", "tcp://d:2376", "tcp://e:2376",
                                              "tcp://f:2376"}));
  EXPECT_EQ(findings[3].line_number, 2);
  EXPECT_EQ(findings[6].source_kind, S::systemd_unit);
}

TEST_F(DockerHostDrift, FixThenScanIsCleanAndRestoreIsByteIdentical) {
  const std::string original = "PATH=\"/usr/bin\"\nDOCKER_HOST=tcp://10.0.0.111:2376\n  export DOCKER_HOST=x\r\nLANG=C";
  fs.put("/r/etc/environment", original, 0640);
  ASSERT_TRUE(fs.set_owner("/r/etc/environment", 0, 42));
  fs.put("/r/root/.profile", "export DOCKER_HOST=tcp://10.0.0.111:2376\n");
  const auto findings = scan_docker_host(fs, paths, users);
  ASSERT_EQ(findings.size(), 3u);

  const auto fixed = fix_docker_host(fs, findings);
  ASSERT_TRUE(fixed) << fixed.error().to_string();
  EXPECT_EQ(fixed->files_changed.size(), 2u);
  EXPECT_EQ(fixed->lines_changed, 3);
  EXPECT_TRUE(scan_docker_host(fs, paths, users).empty());
  const auto node = fs.snapshot().at("/r/etc/environment");
  EXPECT_EQ(node.content,
            "PATH=\"/usr/bin\"\n# phoenix-disabled: DOCKER_HOST=tcp://10.0.0.111:2376\n"
            "# phoenix-disabled:   export DOCKER_HOST=x\r\nLANG=C");
  EXPECT_EQ(node.info.mode, 0640u);
  EXPECT_EQ(node.info.gid, 42u);

  std::vector<std::string> files;
  for (const auto& [path, kind] : drift_candidate_files(fs, paths, users)) files.push_back(path);
  const auto restored = restore_docker_host(fs, files);
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->lines_changed, 3);
  EXPECT_EQ(fs.read_file("/r/etc/environment").value(), original);
  EXPECT_EQ(fs.snapshot().at("/r/etc/environment").info.mode, 0640u);
  EXPECT_EQ(scan_docker_host(fs, paths, users).size(), 3u);
}

TEST_F(DockerHostDrift, AUserNamedTwiceGivesOneFindingPerLine) {
  fs.put("/r/root/.bashrc", "export DOCKER_HOST=tcp://a:2376\n");
  users.push_back(users.front());
  const auto findings = scan_docker_host(fs, paths, users);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(fix_docker_host(fs, findings));
  EXPECT_TRUE(scan_docker_host(fs, paths, users).empty());
}

TEST_F(DockerHostDrift, FixRefusesAFileThatChangedSinceTheScan) {
  fs.put("/r/etc/environment", "DOCKER_HOST=tcp://10.0.0.111:2376\n");
  fs.put("/r/root/.bashrc", "export DOCKER_HOST=tcp://a:2376\n");
  const auto findings = scan_docker_host(fs, paths, users);
  fs.put("/r/etc/environment", "LANG=C\nDOCKER_HOST=tcp://10.0.0.111:2376\n");
  const auto fixed = fix_docker_host(fs, findings);
  ASSERT_FALSE(fixed);
  EXPECT_EQ(fixed.error().code, "drift_fix_failed");
  EXPECT_EQ(fs.read_file("/r/etc/environment").value(), "LANG=C\nDOCKER_HOST=tcp://10.0.0.111:2376\n");
  EXPECT_EQ(fs.read_file("/r/root/.bashrc").value(), "# phoenix-disabled: export DOCKER_HOST=tcp://a:2376\n");
}

TEST_F(DockerHostDrift, RestoreLeavesFilesWithoutMarkersAlone) {
  fs.put("/r/etc/environment", "LANG=C\n");
  const int before = fs.write_count();
  const auto restored = restore_docker_host(fs, {"/r/etc/environment", "/r/missing"});
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->lines_changed, 0);
  EXPECT_EQ(fs.write_count(), before);
}

// Whatever users write, one scan stays small: the agent sends its findings in `hello`,
// and the hub closes a channel whose message passes 1 MiB.
TEST_F(DockerHostDrift, AHugeLineMakesTheFileSkippedNotAHugeFinding) {
  fs.put("/r/home/alice/.bashrc", "export DOCKER_HOST=tcp://" + std::string(4 * 1024 * 1024, 'a') + ":2376\n");
  const auto scan = scan_docker_host_report(fs, paths, users);
  EXPECT_TRUE(scan.findings.empty());
  ASSERT_EQ(scan.skipped.size(), 1u);
  EXPECT_EQ(scan.skipped[0].file, "/r/home/alice/.bashrc");
}

TEST_F(DockerHostDrift, ALongValueUnderTheFileLimitIsTruncatedVisibly) {
  fs.put("/r/home/alice/.bashrc", "export DOCKER_HOST=tcp://" + std::string(60 * 1024, 'a') + ":2376\n");
  const auto scan = scan_docker_host_report(fs, paths, users);
  ASSERT_EQ(scan.findings.size(), 1u);
  const auto& f = scan.findings[0];
  EXPECT_LT(f.value.size(), kMaxDriftValue + 64);
  EXPECT_NE(f.value.find("\u2026truncated ("), std::string::npos) << f.value;
  EXPECT_LT(f.reason.size(), 4096u);
  EXPECT_EQ(f.line_text.size(), 25 + 60 * 1024 + 5u);  // kept whole, so --fix-docker-host still matches it
  EXPECT_LT(shown_text(f.line_text).size(), kMaxDriftValue + 64);
}

TEST_F(DockerHostDrift, FindingsAreCappedAndTheRestCounted) {
  std::string rc;
  for (int i = 0; i < 100; ++i) rc += "export DOCKER_HOST=tcp://h" + std::to_string(i) + ":2376\n";
  fs.put("/r/home/alice/.bashrc", rc);
  const auto scan = scan_docker_host_report(fs, paths, users);
  EXPECT_EQ(scan.findings.size(), kMaxDriftFindings);
  EXPECT_EQ(scan.findings_left_out, 100 - kMaxDriftFindings);
  EXPECT_EQ(scan_docker_host(fs, paths, users).size(), kMaxDriftFindings);
}

TEST_F(DockerHostDrift, TheScanStopsReadingAtItsBudget) {
  const std::string big(kDriftFileLimit - 10, '#');
  std::vector<UserAccount> many;
  for (int i = 0; i < 30; ++i) {
    const std::string home = "/r/home/u" + std::to_string(i);
    many.push_back({"u" + std::to_string(i), home, 1000, 1000});
    fs.put(home + "/.bashrc", big);
  }
  const auto scan = scan_docker_host_report(fs, paths, many);
  ASSERT_FALSE(scan.skipped.empty());
  EXPECT_NE(scan.skipped.back().reason.find("not scanned"), std::string::npos) << scan.skipped.back().reason;
}

}  // namespace
}  // namespace phoenix::agent::docker
