// Users listed in `users` lay traps in their homes for the root agent: ~/.docker a link to
// root's ~/.docker, ~/.docker/config.json a link to root's registry credentials, a hard
// link to them, ~/.bashrc a FIFO or a link to /dev/zero, a 4 MiB DOCKER_HOST line, an rc
// file linked to a root-only file. The real `phoenix-agent doctor` and the state collector
// (what `hello`/`state` carry) must finish quickly, stay small, name each trap, and leave
// root's files exactly as they were (bytes and mtime). Needs root: the homes belong to
// other uids. Everything lives in a --root tree under /tmp/phoenix.*; no real account or
// /root file is touched.
#include "agent/channel/agent_state.hpp"
#include "agent/channel/state_collector.hpp"
#include "shared/fs/real_file_system.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kDeadlineSeconds = 20;  // a FIFO or /dev/zero would hold the old agent forever
constexpr const char* kSecret = "cm9vdDpzM2NyZXQ";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Snapshot {
  std::string bytes;
  timespec mtime{};
  bool operator==(const Snapshot& o) const {
    return bytes == o.bytes && mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

Snapshot snapshot(const std::string& path) {
  struct ::stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return Snapshot{slurp(path), st.st_mtim};
}

class UserPathTraps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: the homes must belong to other uids";
    char tmpl[] = "/tmp/phoenix.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root = tmpl;
    put("etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\n"
        "alice:x:4242:4242::/home/alice:/bin/sh\n"
        "bob:x:4243:4243::/home/bob:/bin/sh\n"
        "carol:x:4244:4244::/home/carol:/bin/sh\n"
        "dave:x:4245:4245::/home/dave:/bin/sh\n");
    put("root/.docker/config.json", std::string("{\"auths\":{\"registry.example\":{\"auth\":\"") + kSecret + "=\"}}}\n",
        0600);
    put("etc/secret-rc", "export DOCKER_HOST=tcp://root-only.example:2376\n", 0600);

    // alice: her whole ~/.docker is root's.
    home("alice", 4242);
    link(r("root/.docker"), "home/alice/.docker", 4242);
    // bob: config.json links to root's, ~/.bashrc is a FIFO, ~/.zshrc links to a root-only rc.
    home("bob", 4243);
    dir("home/bob/.docker", 4243);
    link(r("root/.docker/config.json"), "home/bob/.docker/config.json", 4243);
    ASSERT_EQ(::mkfifo(r("home/bob/.bashrc").c_str(), 0644), 0);
    ASSERT_EQ(::chown(r("home/bob/.bashrc").c_str(), 4243, 4243), 0);
    link(r("etc/secret-rc"), "home/bob/.zshrc", 4243);
    // carol: ~/.bashrc links to /dev/zero, ~/.profile holds a 4 MiB DOCKER_HOST line.
    home("carol", 4244);
    link("/dev/zero", "home/carol/.bashrc", 4244);
    put("home/carol/.profile", "export DOCKER_HOST=tcp://" + std::string(4 * 1024 * 1024, 'a') + ":2376\n", 0644, 4244);
    // ...and ~/.zshrc 500 of them, each with a 4000-byte value.
    std::string many;
    for (int i = 0; i < 500; ++i) many += "export DOCKER_HOST=tcp://" + std::to_string(i) + std::string(4000, 'b') + "\n";
    put("home/carol/.zshrc", many.substr(0, 60 * 1024), 0644, 4244);
    // dave: a hard link to root's credentials as his config.json (same file, root's owner).
    home("dave", 4245);
    dir("home/dave/.docker", 4245);
    ASSERT_EQ(::link(r("root/.docker/config.json").c_str(), r("home/dave/.docker/config.json").c_str()), 0);

    before_config = snapshot(r("root/.docker/config.json"));
    before_rc = snapshot(r("etc/secret-rc"));
  }
  void TearDown() override {
    // Only ever the directory this fixture made under /tmp/phoenix.*.
    if (root.starts_with("/tmp/phoenix.") && root.size() > 13) stdfs::remove_all(root);
  }

  std::string r(const std::string& relative) const { return root + "/" + relative; }
  void put(const std::string& relative, const std::string& content, mode_t mode = 0644, uid_t uid = 0) {
    stdfs::create_directories(stdfs::path(r(relative)).parent_path());
    std::ofstream(r(relative), std::ios::binary) << content;
    ASSERT_EQ(::chmod(r(relative).c_str(), mode), 0);
    ASSERT_EQ(::chown(r(relative).c_str(), uid, uid), 0);
  }
  void dir(const std::string& relative, uid_t uid) {
    stdfs::create_directories(r(relative));
    ASSERT_EQ(::chown(r(relative).c_str(), uid, uid), 0);
  }
  void home(const std::string& name, uid_t uid) { dir("home/" + name, uid); }
  void link(const std::string& target, const std::string& relative, uid_t uid) {
    ASSERT_EQ(::symlink(target.c_str(), r(relative).c_str()), 0) << relative;
    ASSERT_EQ(::lchown(r(relative).c_str(), uid, uid), 0);
  }

  void expect_roots_files_untouched() {
    EXPECT_TRUE(snapshot(r("root/.docker/config.json")) == before_config) << "root's config.json changed";
    EXPECT_TRUE(snapshot(r("etc/secret-rc")) == before_rc) << "the root-only rc file changed";
  }

  struct Run {
    int exit_code = -1;
    bool killed = false;
    std::string out;
    Clock::duration took{};
  };

  // The real binary, killed by SIGALRM if it passes the deadline.
  Run doctor(std::vector<std::string> extra) {
    std::vector<std::string> args{PHOENIX_AGENT_BINARY, "doctor", "--root", root, "--docker-socket", r("no.sock"),
                                  "--users", "root,alice,bob,carol,dave"};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string out_path = r("doctor.out");
    const auto start = Clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::alarm(kDeadlineSeconds);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    Run run;
    run.took = Clock::now() - start;
    run.killed = WIFSIGNALED(status);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = slurp(out_path);
    stdfs::remove(out_path);
    return run;
  }

  std::string root;
  Snapshot before_config, before_rc;
};

TEST_F(UserPathTraps, DoctorNamesEveryTrapAndLeavesRootsFilesAlone) {
  const auto run = doctor({});
  ASSERT_FALSE(run.killed) << "the doctor hung on a user's file (killed after " << kDeadlineSeconds << " s)";
  EXPECT_EQ(run.exit_code, 1) << run.out;
  const std::vector<std::string> named = {
      r("home/alice/.docker") + " is a symbolic link",
      r("home/bob/.docker/config.json") + " is a symbolic link",
      r("home/bob/.bashrc") + " is a FIFO",
      r("home/bob/.zshrc") + " is a symbolic link",
      r("home/carol/.bashrc") + " is a symbolic link",
      r("home/carol/.profile") + " is larger than 64 KiB",
      r("home/dave/.docker/config.json") + " is owned by uid 0, not by the user (uid 4245)",
  };
  for (const auto& text : named) EXPECT_NE(run.out.find(text), std::string::npos) << text << "\n" << run.out;
  EXPECT_EQ(run.out.find(kSecret), std::string::npos) << "root's credentials reached the output";
  EXPECT_EQ(run.out.find("root-only.example"), std::string::npos) << "a root-only file was read";
  EXPECT_LT(run.out.size(), 64u * 1024) << "the report grew with what users wrote";

  const auto json = doctor({"--json"});
  ASSERT_FALSE(json.killed);
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  int user_file_checks = 0;
  for (const auto& check : doc["checks"]) user_file_checks += check["id"] == "user_file" ? 1 : 0;
  EXPECT_EQ(user_file_checks, 4) << json.out;  // bob's .bashrc and .zshrc, carol's .bashrc and .profile

  expect_roots_files_untouched();
  EXPECT_TRUE(stdfs::is_symlink(r("home/alice/.docker")));
}

TEST_F(UserPathTraps, FixDockerHostWritesNothingThroughALink) {
  const auto run = doctor({"--fix-docker-host"});
  ASSERT_FALSE(run.killed) << run.out;
  expect_roots_files_untouched();
  EXPECT_TRUE(stdfs::is_symlink(r("home/bob/.zshrc"))) << "the link was replaced by a copy of its target";
  const auto restored = doctor({"--restore-docker-host"});
  ASSERT_FALSE(restored.killed) << restored.out;
  expect_roots_files_untouched();
}

// What `hello` and `state` carry: collected in a child so that a hang is a failure, not a
// stuck test; the size is far below the hub's 1 MiB message limit.
TEST_F(UserPathTraps, StateCollectionFinishesAndStaysSmall) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(kDeadlineSeconds);
    phoenix::fs::RealFileSystem files;
    phoenix::agent::StateSources sources;
    sources.vm = "vm1";
    sources.docker_socket = r("no.sock");
    sources.root = root;
    sources.users = {"root", "alice", "bob", "carol", "dave"};
    sources.engine_timeout = std::chrono::milliseconds(500);
    const auto inputs = phoenix::agent::collect_state_inputs(files, sources);
    const std::string state = phoenix::agent::build_agent_state(inputs).dump();
    const ssize_t n = ::write(fds[1], state.data(), state.size());
    ::_exit(n == static_cast<ssize_t>(state.size()) ? 0 : 1);
  }
  ::close(fds[1]);
  std::string state;
  char buf[65536];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) state.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "state collection hung or failed (killed after " << kDeadlineSeconds << " s)";
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(kDeadlineSeconds));
  std::cout << "[user-paths] state bytes: " << state.size() << "\n";
  EXPECT_LT(state.size(), 64u * 1024);
  const auto doc = nlohmann::json::parse(state, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["docker_host_findings"].size(), 16u);  // carol's ~/.zshrc: 16 lines in its 60 KiB
  for (const auto& f : doc["docker_host_findings"]) EXPECT_LE(f["value"].get<std::string>().size(), 300u);
  EXPECT_EQ(state.find(kSecret), std::string::npos);
  expect_roots_files_untouched();
}

}  // namespace
