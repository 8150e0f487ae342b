#pragma once
// VmService backed by the tart CLI. Every call returns at once; the work runs on two small
// thread pools (short queries: list/get; long lifecycle calls: start/stop/ip), so a slow
// tart never blocks the caller's io thread and a burst of starts never starves `list`.
//
// Truth lives in tart, never in hub memory: running state always comes from `tart list` /
// `tart get`, so VMs started, stopped or deleted behind the hub's back, and VMs still
// running after a hub restart, show as they are.
//
// `tart list` is slow, so list() is single-flight: concurrent callers share one in-flight
// call, and its answer is reused for list_cache_ms. The hub's own start/stop invalidate it.
#include "hub/tart/tart_cli.hpp"
#include "hub/tart/tart_config.hpp"
#include "hub/tart/tart_run_supervisor.hpp"
#include "hub/vms/vm_service.hpp"
#include "shared/process/detached_spawner.hpp"
#include "shared/process/process_runner.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace phoenix::hub {

class TartVmService : public VmService {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Production: the real process runner and detached spawner.
  explicit TartVmService(TartConfig config);
  TartVmService(TartConfig config, std::shared_ptr<process::ProcessRunner> runner);
  // Tests: inject the spawner of `tart run` and the clock of the list cache.
  TartVmService(TartConfig config, std::shared_ptr<process::ProcessRunner> runner,
                std::shared_ptr<process::DetachedSpawner> spawner, Clock now);
  // Waits for the calls in progress (a pending start gives up at its next poll); every
  // handler has run when it returns. Never destroy the service from inside a handler.
  ~TartVmService() override;

  TartVmService(const TartVmService&) = delete;
  TartVmService& operator=(const TartVmService&) = delete;

  void list(ListHandler done) override;
  void get(const std::string& name, VmHandler done) override;
  void start(const std::string& name, VmHandler done) override;
  void stop(const std::string& name, VmHandler done) override;
  void ip(const std::string& name, int wait_seconds, IpHandler done) override;
  DriverHealth health() const override;

  // Drops the cached `tart list` answer (the next list() asks tart again).
  void invalidate_list_cache();

  const TartConfig& config() const { return config_; }

 private:
  struct ListFlight;

  void finish_list_flight(const std::shared_ptr<ListFlight>& flight,
                          Result<std::vector<VmInfo>> result);
  Result<VmInfo> get_blocking(const std::string& name);
  Result<VmInfo> stop_blocking(const std::string& name);
  Result<std::string> ip_blocking(const std::string& name, int wait_seconds);
  std::optional<VmInfo> cached_list_entry(const std::string& name);

  TartConfig config_;
  TartCli cli_;
  TartRunSupervisor supervisor_;  // refers to cli_
  Clock now_;
  std::atomic<bool> stopping_{false};

  std::mutex list_mutex_;
  std::uint64_t list_generation_ = 0;  // bumped by invalidate_list_cache()
  std::optional<std::vector<VmInfo>> list_cache_;
  std::uint64_t list_cache_generation_ = 0;
  std::chrono::steady_clock::time_point list_cache_time_{};
  std::shared_ptr<ListFlight> list_flight_;  // the call new callers may join

  // Declared last: destroyed (joined) first, while everything the tasks use still exists.
  boost::asio::thread_pool query_pool_;
  boost::asio::thread_pool lifecycle_pool_;
};

}  // namespace phoenix::hub
