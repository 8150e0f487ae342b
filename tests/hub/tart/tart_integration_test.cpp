// TartVmService against the real fake-tart binary in a temporary TART_HOME: real
// processes, real locks, real signals. Every VM started is stopped at the end, on failure too.
#include "hub/tart/tart_vm_service.hpp"

#include "shared/process/detached_spawner.hpp"
#include "shared/process/real_process_runner.hpp"
#include "tests/hub/tart/tart_test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef FAKE_TART_PATH
#error "FAKE_TART_PATH must name the fake-tart binary"
#endif

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using test::wait_for_result;
using ListResult = Result<std::vector<VmInfo>>;
using VmResult = Result<VmInfo>;
using IpResult = Result<std::string>;

class TartIntegration : public ::testing::Test {
 protected:
  TartIntegration() {
    tart_home = dir.path + "/tart-home";
    argv_log = dir.path + "/argv.log";
    std::filesystem::create_directories(tart_home);
    config.tart_path = FAKE_TART_PATH;
    config.state_dir = dir.path + "/hub-state";
    config.list_cache_ms = 1000ms;
    config.call_timeout = 10s;
    config.start_timeout = 10s;
    config.stop_timeout = 5s;
    config.extra_env = {{"TART_HOME", tart_home}, {"FAKE_TART_ARGV_LOG", argv_log}};
  }

  // Stops every VM still running (through fake-tart itself: it finds the lock holders), so
  // no `fake-tart run` outlives the test, whatever failed.
  ~TartIntegration() override {
    service.reset();
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(tart_home + "/vms", ec)) {
      tart({"stop", entry.path().filename().string(), "--timeout", "1"});
    }
  }

  TartVmService& svc() {
    if (!service) service = std::make_unique<TartVmService>(config);
    return *service;
  }

  // fake-tart run directly, as a person at the terminal would ("behind the hub's back").
  process::RunResult tart(std::vector<std::string> args) {
    process::RunOptions options;
    options.argv = {FAKE_TART_PATH};
    for (auto& a : args) options.argv.push_back(std::move(a));
    options.extra_env = {{"TART_HOME", tart_home}};
    options.timeout = 10s;
    auto result = process::RealProcessRunner().run(options);
    EXPECT_TRUE(result) << result.error().to_string();
    return result ? *result : process::RunResult{};
  }

  std::shared_ptr<process::DetachedChild> run_by_hand(const std::string& name) {
    auto child = process::RealDetachedSpawner().spawn(
        {{FAKE_TART_PATH, "run", name, "--no-graphics"}, dir.path + "/by-hand.log",
         {{"TART_HOME", tart_home}}});
    EXPECT_TRUE(child);
    // Running once fake-tart holds the lock.
    for (int i = 0; i < 200; ++i) {
      if (tart({"get", name, "--format", "json"}).out.find("\"running\"") != std::string::npos) break;
      std::this_thread::sleep_for(10ms);
    }
    return child ? *child : nullptr;
  }

  std::vector<std::string> argv_log_lines() {
    std::ifstream in(argv_log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::size_t count_list_calls() {
    std::size_t n = 0;
    for (const auto& line : argv_log_lines()) n += line.find(" list ") != std::string::npos;
    return n;
  }

  ListResult list() { return wait_for_result<ListResult>([&](auto h) { svc().list(h); }); }
  VmResult get(const std::string& n) { return wait_for_result<VmResult>([&](auto h) { svc().get(n, h); }); }
  VmResult start(const std::string& n) { return wait_for_result<VmResult>([&](auto h) { svc().start(n, h); }); }
  VmResult stop(const std::string& n) { return wait_for_result<VmResult>([&](auto h) { svc().stop(n, h); }); }
  IpResult ip(const std::string& n) { return wait_for_result<IpResult>([&](auto h) { svc().ip(n, 1, h); }); }

  static const VmInfo* find(const ListResult& vms, const std::string& name) {
    if (!vms) return nullptr;
    for (const auto& vm : *vms) {
      if (vm.name == name) return &vm;
    }
    return nullptr;
  }

  test::TempDir dir;
  std::string tart_home;
  std::string argv_log;
  TartConfig config;
  std::unique_ptr<TartVmService> service;
};

TEST_F(TartIntegration, ListShowsLocalVmsOnly) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  ASSERT_EQ(tart({"create", "vm2", "--linux"}).exit_code, 0);
  const std::string image = tart_home + "/cache/OCIs/ghcr.io/cirruslabs/ubuntu/latest";
  std::filesystem::create_directories(image);
  std::ofstream(image + "/config.json") << "{}";
  ASSERT_NE(tart({"list", "--format", "json"}).out.find("\"OCI\""), std::string::npos);

  auto vms = list();
  ASSERT_TRUE(vms) << vms.error().to_string();
  ASSERT_EQ(vms->size(), 2u);
  EXPECT_EQ((*vms)[0].name, "vm1");
  EXPECT_EQ((*vms)[1].name, "vm2");
  for (const auto& vm : *vms) {
    EXPECT_EQ(vm.source, "local");
    EXPECT_EQ(vm.state, "stopped");
    EXPECT_FALSE(vm.running);
    EXPECT_EQ(vm.disk_gb, 20);
    EXPECT_TRUE(vm.accessed.has_value());
  }
  EXPECT_TRUE(svc().health().ok);
}

TEST_F(TartIntegration, Lifecycle) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);

  auto before = get("vm1");
  ASSERT_TRUE(before) << before.error().to_string();
  EXPECT_EQ(before->state, "stopped");
  EXPECT_EQ(before->os, "linux");
  EXPECT_EQ(before->cpu, 4);
  EXPECT_EQ(before->memory_mb, 4096);
  EXPECT_EQ(list().value().at(0).state, "stopped");  // fills the cache

  auto started = start("vm1");
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_TRUE(started->running);
  EXPECT_EQ(started->state, "running");
  EXPECT_TRUE(get("vm1")->running);
  EXPECT_TRUE(list().value().at(0).running);  // our start invalidated the cached list
  EXPECT_TRUE(std::filesystem::exists(config.state_dir + "/logs/vm1.log"));

  auto again = start("vm1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "already_running");

  auto address = ip("vm1");
  ASSERT_TRUE(address) << address.error().to_string();
  EXPECT_EQ(address->rfind("192.168.64.", 0), 0u);

  auto stopped = stop("vm1");
  ASSERT_TRUE(stopped) << stopped.error().to_string();
  EXPECT_FALSE(stopped->running);
  EXPECT_EQ(stopped->state, "stopped");
  EXPECT_FALSE(list().value().at(0).running);

  auto stop_again = stop("vm1");
  ASSERT_FALSE(stop_again);
  EXPECT_EQ(stop_again.error().code, "not_running");
  EXPECT_EQ(stop_again.error().message, "VM \"vm1\" is not running");
  EXPECT_EQ(ip("vm1").error().code, "not_running");

  // The run process logged its life and exited cleanly.
  std::ifstream log(config.state_dir + "/logs/vm1.log");
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("fake-tart: VM vm1 is running"), std::string::npos) << text.str();
}

TEST_F(TartIntegration, UnknownVmIsNotFound) {
  EXPECT_EQ(get("ghost").error().code, "vm_not_found");
  EXPECT_EQ(get("ghost").error().message, "the specified VM \"ghost\" does not exist");
  EXPECT_EQ(start("ghost").error().code, "vm_not_found");
  EXPECT_EQ(stop("ghost").error().code, "vm_not_found");
  EXPECT_EQ(ip("ghost").error().code, "vm_not_found");
}

TEST_F(TartIntegration, BadNamesNeverReachTart) {
  for (const std::string& name : std::vector<std::string>{"../x", "a;id", "-rf", "$(id)", ""}) {
    EXPECT_EQ(start(name).error().code, "invalid_name");
    EXPECT_EQ(get(name).error().code, "invalid_name");
  }
  EXPECT_TRUE(argv_log_lines().empty());
}

TEST_F(TartIntegration, RunFailureGivesTartsMessage) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  config.extra_env.emplace_back("FAKE_TART_RUN_FAIL", "boot failed: no kernel image");
  auto result = start("vm1");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "driver_failed");
  EXPECT_EQ(result.error().message, "boot failed: no kernel image");
}

TEST_F(TartIntegration, ChangesBehindTheHubsBackShow) {
  config.list_cache_ms = 50ms;
  EXPECT_TRUE(list().value().empty());

  ASSERT_EQ(tart({"create", "vm3", "--linux"}).exit_code, 0);
  std::this_thread::sleep_for(60ms);
  ASSERT_NE(find(list(), "vm3"), nullptr);
  EXPECT_FALSE(get("vm3")->running);

  auto child = run_by_hand("vm3");
  std::this_thread::sleep_for(60ms);
  EXPECT_TRUE(get("vm3")->running);
  EXPECT_TRUE(find(list(), "vm3")->running);
  EXPECT_EQ(start("vm3").error().code, "already_running");

  ASSERT_EQ(tart({"stop", "vm3"}).exit_code, 0);
  std::this_thread::sleep_for(60ms);
  EXPECT_FALSE(get("vm3")->running);
  EXPECT_FALSE(find(list(), "vm3")->running);

  ASSERT_EQ(tart({"delete", "vm3"}).exit_code, 0);
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(get("vm3").error().code, "vm_not_found");
  EXPECT_EQ(find(list(), "vm3"), nullptr);
}

TEST_F(TartIntegration, ConcurrentListsWithASlowTartShareCalls) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  config.extra_env.emplace_back("FAKE_TART_DELAY_MS", "300");
  auto& service_ref = svc();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> answered{0};
  std::atomic<int> good{0};
  const auto began = std::chrono::steady_clock::now();
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        service_ref.list([&](ListResult r) {
          if (r && r->size() == 1) ++good;
          ++answered;
        });
      }
    });
  }
  for (auto& c : callers) c.join();
  for (int i = 0; i < 500 && answered.load() < kThreads * kPerThread; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(answered.load(), kThreads * kPerThread);
  EXPECT_EQ(good.load(), kThreads * kPerThread);
  EXPECT_LE(count_list_calls(), 5u);
  EXPECT_GE(count_list_calls(), 1u);
  EXPECT_LT(took, 3s);
  std::cout << "200 concurrent lists: " << count_list_calls() << " tart list call(s), "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
}

TEST_F(TartIntegration, RestartedServiceStillSeesTheVmRunning) {
  ASSERT_EQ(tart({"create", "vm1", "--linux"}).exit_code, 0);
  ASSERT_TRUE(start("vm1"));
  service.reset();  // the hub goes away; tart run must not

  EXPECT_TRUE(get("vm1")->running);  // a brand-new service, knowing nothing
  EXPECT_TRUE(find(list(), "vm1")->running);
  auto stopped = stop("vm1");
  ASSERT_TRUE(stopped) << stopped.error().to_string();
  EXPECT_FALSE(stopped->running);
}

}  // namespace
}  // namespace phoenix::hub
