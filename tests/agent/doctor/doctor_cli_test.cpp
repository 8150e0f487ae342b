// Runs the real `phoenix-agent doctor --root <tmp>` binary: DOCKER_HOST drift is found with
// file and line and explained, --fix-docker-host fixes it, --restore-docker-host brings it
// back. dockerd is deliberately unreachable (a socket path that does not exist): only the
// DOCKER_HOST part and the exit codes are asserted here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace stdfs = std::filesystem;

// A temporary --root tree, removed at the end of the test also on failure.
class TempRoot {
 public:
  TempRoot() {
    std::string pattern = (stdfs::temp_directory_path() / "phoenix-doctor-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempRoot() {
    std::error_code ec;
    stdfs::remove_all(path_, ec);
  }
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const stdfs::path& path() const { return path_; }
  void write(const std::string& relative, const std::string& content) const {
    const auto file = path_ / relative;
    stdfs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(path_ / relative, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  stdfs::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
};

// fork + execv with an argv vector (no shell); stdout and stderr go to files in `scratch`.
RunResult run_doctor(const TempRoot& root, std::vector<std::string> extra) {
  std::vector<std::string> args{PHOENIX_AGENT_BINARY, "doctor", "--root", root.path().string(), "--docker-socket",
                                (root.path() / "no-such.sock").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const std::string out_path = (root.path() / "doctor.out").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = root.read("doctor.out");
  stdfs::remove(out_path);
  return result;
}

TEST(DoctorCli, FindsExplainsFixesAndRestoresDockerHost) {
  TempRoot root;
  const std::string environment = "PATH=\"/usr/local/bin:/usr/bin:/bin\"\nDOCKER_HOST=tcp://10.0.0.111:2376\n";
  root.write("etc/environment", environment);
  const std::string env_file = (root.path() / "etc/environment").string();

  const auto found = run_doctor(root, {});
  EXPECT_EQ(found.exit_code, 1) << found.out;
  EXPECT_NE(found.out.find("FAIL docker_host: " + env_file + ":2: DOCKER_HOST=tcp://10.0.0.111:2376"),
            std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("Client sent an HTTP request to an HTTPS server."), std::string::npos);
  EXPECT_NE(found.out.find("--fix-docker-host"), std::string::npos);

  const auto json = run_doctor(root, {"--json"});
  EXPECT_EQ(json.exit_code, 1);
  const auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json.out;
  ASSERT_EQ(doc["docker_host_findings"].size(), 1u);
  EXPECT_EQ(doc["docker_host_findings"][0]["file"], env_file);
  EXPECT_EQ(doc["docker_host_findings"][0]["line"], 2);

  const auto fixed = run_doctor(root, {"--fix-docker-host"});
  EXPECT_NE(fixed.out.find("DONE disabled " + env_file + ":2"), std::string::npos) << fixed.out;
  EXPECT_NE(fixed.out.find("OK   docker_host:"), std::string::npos) << fixed.out;
  EXPECT_EQ(fixed.exit_code, 1);  // dockerd is unreachable here, so still non-zero
  EXPECT_EQ(root.read("etc/environment"),
            "PATH=\"/usr/local/bin:/usr/bin:/bin\"\n# phoenix-disabled: DOCKER_HOST=tcp://10.0.0.111:2376\n");

  const auto clean = run_doctor(root, {"--json"});
  const auto clean_doc = nlohmann::json::parse(clean.out, nullptr, false);
  ASSERT_FALSE(clean_doc.is_discarded()) << clean.out;
  EXPECT_TRUE(clean_doc["docker_host_findings"].empty());
  bool docker_host_ok = false;
  for (const auto& check : clean_doc["checks"]) {
    if (check["id"] == "docker_host") docker_host_ok = check["status"] == "OK";
  }
  EXPECT_TRUE(docker_host_ok) << clean.out;

  const auto restored = run_doctor(root, {"--restore-docker-host"});
  EXPECT_EQ(restored.exit_code, 1);
  EXPECT_EQ(root.read("etc/environment"), environment);
}

TEST(DoctorCli, UsageErrorsExitTwo) {
  TempRoot root;
  EXPECT_EQ(run_doctor(root, {"--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run_doctor(root, {"--fix-docker-host", "--restore-docker-host"}).exit_code, 2);
  EXPECT_EQ(run_doctor(root, {"--tls-endpoint", "nonsense"}).exit_code, 2);
  const auto help = run_doctor(root, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--fix-docker-host"), std::string::npos);
}

}  // namespace
