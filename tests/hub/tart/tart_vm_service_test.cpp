// TartVmService with a scripted runner, a fake spawner and a fake clock: single flight,
// cache, invalidation, start/stop/ip decisions. No real processes.
#include "hub/tart/tart_vm_service.hpp"

#include "shared/process/fake_process_runner.hpp"
#include "tests/hub/tart/tart_test_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <thread>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;
using process::FakeProcessRunner;
using test::wait_for_result;
using ListResult = Result<std::vector<VmInfo>>;

const std::string kTart = "/opt/tart/bin/tart";
const std::vector<std::string> kListArgv = {kTart, "list", "--format", "json", "--source", "local"};

// A gate that `tart list` calls wait at, so a test controls when they finish.
class Gate {
 public:
  void wait() {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool wait_for_waiters(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int waiting_ = 0;
  bool open_ = false;
};

class FakeChild : public process::DetachedChild {
 public:
  int pid() const override { return 4242; }
  std::optional<int> exit_code() const override {
    std::lock_guard lock(mutex_);
    return code_;
  }
  void exit(int code) {
    std::lock_guard lock(mutex_);
    code_ = code;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<int> code_;
};

class FakeSpawner : public process::DetachedSpawner {
 public:
  std::function<void(const process::DetachedOptions&, FakeChild&)> on_spawn;
  std::vector<process::DetachedOptions> spawned;
  Result<std::shared_ptr<process::DetachedChild>> spawn(
      const process::DetachedOptions& options) override {
    spawned.push_back(options);
    auto child = std::make_shared<FakeChild>();
    if (on_spawn) on_spawn(options, *child);
    return std::shared_ptr<process::DetachedChild>(child);
  }
};

struct ServiceTest : ::testing::Test {
  ServiceTest() {
    config.tart_path = kTart;
    config.state_dir = dir.path;
    config.list_cache_ms = 1000ms;
    config.start_timeout = 2s;
    config.start_poll_interval = 5ms;
    // A tiny tart: VMs and their running flag in memory, answered through the runner.
    runner->set_fallback([this](const process::RunOptions& o) -> Result<process::RunResult> {
      const auto& a = o.argv;
      if (a.size() >= 2 && a[1] == "get") {
        std::lock_guard lock(vm_mutex);
        if (!vms.count(a[2])) {
          return FakeProcessRunner::exited(2, "", "the specified VM \"" + a[2] + "\" does not exist\n");
        }
        const bool up = vms[a[2]];
        return FakeProcessRunner::exited(0, std::string(R"({"Running":)") + (up ? "true" : "false") +
                                                R"(,"State":")" + (up ? "running" : "stopped") + "\"}");
      }
      if (a.size() >= 2 && a[1] == "ip") return FakeProcessRunner::exited(0, "192.168.64.7\n");
      return make_error("not_found", "unexpected call");
    });
  }
  std::unique_ptr<TartVmService> make_service() {
    return std::make_unique<TartVmService>(config, runner, spawner, [this] {
      return std::chrono::steady_clock::time_point(std::chrono::milliseconds(clock_ms.load()));
    });
  }
  void set_vm(const std::string& name, bool running) {
    std::lock_guard lock(vm_mutex);
    vms[name] = running;
  }

  test::TempDir dir;
  TartConfig config;
  std::shared_ptr<FakeProcessRunner> runner = std::make_shared<FakeProcessRunner>();
  std::shared_ptr<FakeSpawner> spawner = std::make_shared<FakeSpawner>();
  std::atomic<long long> clock_ms{1000000};
  std::mutex vm_mutex;
  std::map<std::string, bool> vms;
};

TEST_F(ServiceTest, ConcurrentListsShareOneTartCall) {
  Gate gate;
  runner->on(kListArgv, FakeProcessRunner::exited(0, R"([{"Name":"vm1","State":"stopped"}])"));
  runner->set_before_run([&](const process::RunOptions& o) {
    if (o.argv == kListArgv) gate.wait();
  });
  auto service = make_service();
  constexpr int kCallers = 50;
  std::atomic<int> answered{0};
  std::atomic<int> good{0};
  for (int i = 0; i < kCallers; ++i) {
    service->list([&](ListResult r) {
      if (r && r->size() == 1 && (*r)[0].name == "vm1") ++good;
      ++answered;
    });
  }
  ASSERT_TRUE(gate.wait_for_waiters(1));
  EXPECT_EQ(answered.load(), 0);  // nobody answered before tart did
  gate.open();
  service.reset();  // joins: every handler has run
  EXPECT_EQ(answered.load(), kCallers);
  EXPECT_EQ(good.load(), kCallers);
  EXPECT_EQ(runner->count_calls(kListArgv), 1u);
}

TEST_F(ServiceTest, CacheServesUntilItExpires) {
  runner->on(kListArgv, FakeProcessRunner::exited(0, "[]"));
  auto service = make_service();
  auto list = [&] { return wait_for_result<ListResult>([&](auto h) { service->list(h); }); };
  EXPECT_TRUE(list());
  EXPECT_TRUE(list());
  clock_ms += 999;
  EXPECT_TRUE(list());
  EXPECT_EQ(runner->count_calls(kListArgv), 1u);
  clock_ms += 2;
  EXPECT_TRUE(list());
  EXPECT_EQ(runner->count_calls(kListArgv), 2u);
}

TEST_F(ServiceTest, ZeroCacheStillSharesInFlightCalls) {
  config.list_cache_ms = 0ms;
  runner->on(kListArgv, FakeProcessRunner::exited(0, "[]"));
  auto service = make_service();
  wait_for_result<ListResult>([&](auto h) { service->list(h); });
  wait_for_result<ListResult>([&](auto h) { service->list(h); });
  EXPECT_EQ(runner->count_calls(kListArgv), 2u);
}

TEST_F(ServiceTest, ErrorsAreSharedButNotCached) {
  runner->on(kListArgv, FakeProcessRunner::exited(1, "", "tart exploded\n"));
  runner->on(kListArgv, FakeProcessRunner::exited(0, "[]"));
  auto service = make_service();
  auto first = wait_for_result<ListResult>([&](auto h) { service->list(h); });
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, "driver_failed");
  EXPECT_EQ(first.error().message, "tart exploded");
  EXPECT_TRUE(wait_for_result<ListResult>([&](auto h) { service->list(h); }));
  EXPECT_EQ(runner->count_calls(kListArgv), 2u);
}

TEST_F(ServiceTest, InvalidationDropsTheCacheAndStaleFlights) {
  Gate gate;
  runner->on(kListArgv, FakeProcessRunner::exited(0, "[]"));
  auto service = make_service();
  EXPECT_TRUE(wait_for_result<ListResult>([&](auto h) { service->list(h); }));
  service->invalidate_list_cache();
  EXPECT_TRUE(wait_for_result<ListResult>([&](auto h) { service->list(h); }));
  EXPECT_EQ(runner->count_calls(kListArgv), 2u);

  // A flight that began before the invalidation is not joined by later callers.
  runner->set_before_run([&](const process::RunOptions& o) {
    if (o.argv == kListArgv) gate.wait();
  });
  service->invalidate_list_cache();
  std::atomic<int> answered{0};
  service->list([&](ListResult) { ++answered; });
  ASSERT_TRUE(gate.wait_for_waiters(1));
  service->invalidate_list_cache();
  service->list([&](ListResult) { ++answered; });
  ASSERT_TRUE(gate.wait_for_waiters(2));
  gate.open();
  service.reset();
  EXPECT_EQ(answered.load(), 2);
  EXPECT_EQ(runner->count_calls(kListArgv), 4u);
}

TEST_F(ServiceTest, StartSpawnsTartRunDetachedAndAnswersWhenRunning) {
  set_vm("vm1", false);
  spawner->on_spawn = [&](const process::DetachedOptions&, FakeChild&) { set_vm("vm1", true); };
  runner->on(kListArgv, FakeProcessRunner::exited(0, "[]"));
  auto service = make_service();
  wait_for_result<ListResult>([&](auto h) { service->list(h); });  // fills the cache

  auto vm = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("vm1", h); });
  ASSERT_TRUE(vm) << vm.error().to_string();
  EXPECT_TRUE(vm->running);
  ASSERT_EQ(spawner->spawned.size(), 1u);
  EXPECT_EQ(spawner->spawned[0].argv,
            (std::vector<std::string>{kTart, "run", "vm1", "--no-graphics"}));
  EXPECT_EQ(spawner->spawned[0].log_path, dir.path + "/logs/vm1.log");
  EXPECT_TRUE(std::filesystem::exists(dir.path + "/logs/vm1.log"));
  // The hub's own start invalidated the cache: the next list asks tart again.
  wait_for_result<ListResult>([&](auto h) { service->list(h); });
  EXPECT_EQ(runner->count_calls(kListArgv), 2u);
}

TEST_F(ServiceTest, StartRefusesUnknownAndRunningVmsWithoutSpawning) {
  set_vm("up", true);
  auto service = make_service();
  auto unknown = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("nope", h); });
  EXPECT_EQ(unknown.error().code, "vm_not_found");
  auto running = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("up", h); });
  EXPECT_EQ(running.error().code, "already_running");
  EXPECT_TRUE(spawner->spawned.empty());
}

TEST_F(ServiceTest, EarlyExitOfTartRunGivesTartsOwnError) {
  set_vm("vm1", false);
  std::ofstream(dir.path + "/old.log");
  spawner->on_spawn = [&](const process::DetachedOptions& o, FakeChild& child) {
    std::ofstream(o.log_path, std::ios::app) << "VM \"vm1\" is already running!\n";
    child.exit(2);
  };
  auto service = make_service();
  auto raced = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("vm1", h); });
  EXPECT_EQ(raced.error().code, "already_running");
  EXPECT_EQ(raced.error().message, "VM \"vm1\" is already running!");

  spawner->on_spawn = [&](const process::DetachedOptions& o, FakeChild& child) {
    std::ofstream(o.log_path, std::ios::app) << "Failed to start: virtualization unavailable\n";
    child.exit(1);
  };
  auto failed = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("vm1", h); });
  EXPECT_EQ(failed.error().code, "driver_failed");
  // Only this run's text: not the earlier run's line, not the hub's header line.
  EXPECT_EQ(failed.error().message, "Failed to start: virtualization unavailable");
}

TEST_F(ServiceTest, StartGivesUpAtTheStartTimeout) {
  config.start_timeout = 100ms;
  set_vm("slow", false);
  auto service = make_service();
  auto result = wait_for_result<Result<VmInfo>>([&](auto h) { service->start("slow", h); });
  EXPECT_EQ(result.error().code, "driver_timeout");
  EXPECT_NE(result.error().message.find("slow.log"), std::string::npos);
}

TEST_F(ServiceTest, InvalidNamesAreRefusedBeforeAnyProcess) {
  auto service = make_service();
  for (const std::string& name : std::vector<std::string>{"../x", "a;id", "-rf", "$(id)", "%2e%2e%2f", ""}) {
    EXPECT_EQ(wait_for_result<Result<VmInfo>>([&](auto h) { service->get(name, h); }).error().code,
              "invalid_name");
    EXPECT_EQ(wait_for_result<Result<VmInfo>>([&](auto h) { service->start(name, h); }).error().code,
              "invalid_name");
    EXPECT_EQ(wait_for_result<Result<VmInfo>>([&](auto h) { service->stop(name, h); }).error().code,
              "invalid_name");
    EXPECT_EQ(wait_for_result<Result<std::string>>([&](auto h) { service->ip(name, 1, h); })
                  .error()
                  .code,
              "invalid_name");
  }
  EXPECT_TRUE(runner->calls().empty());
  EXPECT_TRUE(spawner->spawned.empty());
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/logs"));
}

TEST_F(ServiceTest, IpNeedsARunningVm) {
  set_vm("down", false);
  set_vm("up", true);
  auto service = make_service();
  auto down = wait_for_result<Result<std::string>>([&](auto h) { service->ip("down", 3, h); });
  EXPECT_EQ(down.error().code, "not_running");
  auto up = wait_for_result<Result<std::string>>([&](auto h) { service->ip("up", 3, h); });
  EXPECT_EQ(up.value(), "192.168.64.7");
}

TEST_F(ServiceTest, GetMergesFreshListFacts) {
  set_vm("vm1", true);
  runner->on(kListArgv, FakeProcessRunner::exited(
                            0, R"([{"Name":"vm1","State":"stopped","Accessed":"2026-11-25T10:00:00Z","Size":7}])"));
  auto service = make_service();
  wait_for_result<ListResult>([&](auto h) { service->list(h); });
  auto vm = wait_for_result<Result<VmInfo>>([&](auto h) { service->get("vm1", h); });
  ASSERT_TRUE(vm);
  EXPECT_TRUE(vm->running);  // from get, not the list
  EXPECT_EQ(vm->accessed, "2026-11-25T10:00:00Z");
  EXPECT_EQ(vm->size_gb, 7);
}

TEST_F(ServiceTest, HealthChecksTheTartBinary) {
  config.tart_path = "/bin/sh";
  EXPECT_TRUE(make_service()->health().ok);
  config.tart_path = "/nonexistent/tart";
  auto missing = make_service()->health();
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.detail.find("/nonexistent/tart"), std::string::npos);
  config.tart_path = "/etc";
  EXPECT_FALSE(make_service()->health().ok);
  config.tart_path = "tart";
  EXPECT_FALSE(make_service()->health().ok);
}

}  // namespace
}  // namespace phoenix::hub
