// fake-tart's own contract: the texts, exit codes and JSON shapes the tart driver relies
// on, checked against the binary. If these drift from tart.md, the driver tests lie.
#include "shared/process/detached_spawner.hpp"
#include "shared/process/real_process_runner.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#ifndef FAKE_TART_PATH
#error "FAKE_TART_PATH must name the fake-tart binary"
#endif

namespace phoenix::fake_tart {
namespace {

using namespace std::chrono_literals;

class FakeTart : public ::testing::Test {
 protected:
  FakeTart() {
    char pattern[] = "/tmp/phoenix-fake-tart-XXXXXX";
    home = ::mkdtemp(pattern);
  }
  ~FakeTart() override {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(home + "/vms", ec)) {
      tart({"stop", e.path().filename().string(), "--timeout", "1"});
    }
    std::filesystem::remove_all(home, ec);
  }

  process::RunResult tart(std::vector<std::string> args,
                          std::vector<std::pair<std::string, std::string>> env = {}) {
    process::RunOptions options;
    options.argv = {FAKE_TART_PATH};
    for (auto& a : args) options.argv.push_back(std::move(a));
    options.extra_env = {{"TART_HOME", home}};
    for (auto& kv : env) options.extra_env.push_back(kv);
    options.timeout = 10s;
    auto result = process::RealProcessRunner().run(options);
    EXPECT_TRUE(result);
    return result ? *result : process::RunResult{};
  }

  void run_in_background(const std::string& name) {
    auto child = process::RealDetachedSpawner().spawn(
        {{FAKE_TART_PATH, "run", name, "--no-graphics"}, home + "/run.log", {{"TART_HOME", home}}});
    ASSERT_TRUE(child);
    for (int i = 0; i < 200; ++i) {
      if (tart({"list", "-q"}).exit_code == 0 &&
          tart({"get", name, "--format", "json"}).out.find("\"State\" : \"running\"") != std::string::npos) {
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "fake-tart run did not come up";
  }

  std::string home;
};

TEST_F(FakeTart, ListIsSwiftStylePrettyJsonWithOciUnlessLocal) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  std::filesystem::create_directories(home + "/cache/OCIs/ghcr.io/org/img/latest");
  std::ofstream(home + "/cache/OCIs/ghcr.io/org/img/latest/config.json") << "{}";

  auto all = tart({"list", "--format", "json"});
  ASSERT_EQ(all.exit_code, 0);
  EXPECT_NE(all.out.find("\"Name\" : \"vm1\""), std::string::npos) << all.out;
  const auto doc = nlohmann::json::parse(all.out);
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[1]["Source"], "OCI");
  EXPECT_EQ(doc[1]["Name"], "ghcr.io/org/img:latest");
  for (const char* key : {"Source", "Name", "Disk", "Size", "Accessed", "Running", "State"}) {
    EXPECT_TRUE(doc[0].contains(key)) << key;
  }
  EXPECT_TRUE(doc[0]["Size"].is_number());

  EXPECT_EQ(nlohmann::json::parse(tart({"list", "--format", "json", "--source", "local"}).out).size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(tart({"list", "--format", "json", "--source", "oci"}).out).size(), 1u);
  EXPECT_EQ(tart({"list", "-q", "--source", "local"}).out, "vm1\n");
}

TEST_F(FakeTart, GetHasSizeAsAString) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  const auto doc = nlohmann::json::parse(tart({"get", "vm1", "--format", "json"}).out);
  EXPECT_TRUE(doc["Size"].is_string());
  EXPECT_EQ(doc["OS"], "linux");
  EXPECT_EQ(doc["Running"], false);
  EXPECT_EQ(doc["State"], "stopped");
}

TEST_F(FakeTart, ErrorTextsAndExitCodesMatchTart) {
  auto missing = tart({"get", "nope", "--format", "json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "the specified VM \"nope\" does not exist\n");

  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  auto not_running = tart({"stop", "vm1"});
  EXPECT_EQ(not_running.exit_code, 2);
  EXPECT_EQ(not_running.err, "VM \"vm1\" is not running\n");

  auto no_ip = tart({"ip", "vm1"});
  EXPECT_EQ(no_ip.exit_code, 1);
  EXPECT_EQ(no_ip.err, "no IP address found, is your VM running?\n");

  run_in_background("vm1");
  auto twice = tart({"run", "vm1", "--no-graphics"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_EQ(twice.err, "VM \"vm1\" is already running!\n");

  auto delete_running = tart({"delete", "vm1"});
  EXPECT_EQ(delete_running.exit_code, 1);
  EXPECT_EQ(delete_running.err, "VM \"vm1\" is running\n");

  auto address = tart({"ip", "vm1", "--wait", "1"});
  EXPECT_EQ(address.exit_code, 0);
  EXPECT_EQ(address.out, tart({"ip", "vm1"}).out);  // fixed per name
  EXPECT_EQ(address.out.rfind("192.168.64.", 0), 0u);

  EXPECT_EQ(tart({"stop", "vm1", "--timeout", "2"}).exit_code, 0);
  EXPECT_EQ(tart({"delete", "vm1"}).exit_code, 0);
  EXPECT_EQ(tart({"delete", "vm1"}).exit_code, 2);
}

TEST_F(FakeTart, ArgumentErrorsAreExit64WithErrorPrefix) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"bogus"}, {"get"}, {"list", "--nope"}, {"list", "--format", "yaml"},
           {"stop", "vm1", "--timeout", "x"}}) {
    auto result = tart(args);
    EXPECT_EQ(result.exit_code, 64);
    if (!args.empty()) {
      EXPECT_EQ(result.err.rfind("Error: ", 0), 0u) << result.err;
    }
  }
}

TEST_F(FakeTart, TestHooks) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  auto failing = tart({"run", "vm1"}, {{"FAKE_TART_RUN_FAIL", "no kernel"}});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_EQ(failing.err, "no kernel\n");

  const std::string log = home + "/argv.log";
  const auto began = std::chrono::steady_clock::now();
  tart({"list", "--format", "json"}, {{"FAKE_TART_ARGV_LOG", log}, {"FAKE_TART_DELAY_MS", "150"}});
  EXPECT_GE(std::chrono::steady_clock::now() - began, 150ms);
  std::ifstream in(log);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, std::string(FAKE_TART_PATH) + " list --format json");
}

}  // namespace
}  // namespace phoenix::fake_tart
