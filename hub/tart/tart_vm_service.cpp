#include "hub/tart/tart_vm_service.hpp"

#include "hub/tart/tart_json.hpp"
#include "hub/vms/vm_name.hpp"
#include "shared/core/log.hpp"
#include "shared/process/real_process_runner.hpp"

#include <boost/asio/post.hpp>

#include <sys/stat.h>
#include <unistd.h>

namespace phoenix::hub {
namespace asio = boost::asio;

namespace {
// List facts older than this are not merged into `get` answers (a VM may have been
// deleted and re-created with the same name meanwhile).
constexpr std::chrono::seconds kListFactsMaxAge{60};
}  // namespace

// One `tart list` in progress and everyone waiting for its answer.
struct TartVmService::ListFlight {
  std::uint64_t generation = 0;
  std::chrono::steady_clock::time_point started{};
  std::vector<ListHandler> waiters;
};

TartVmService::TartVmService(TartConfig config)
    : TartVmService(std::move(config), std::make_shared<process::RealProcessRunner>()) {}

TartVmService::TartVmService(TartConfig config, std::shared_ptr<process::ProcessRunner> runner)
    : TartVmService(std::move(config), std::move(runner),
                    std::make_shared<process::RealDetachedSpawner>(),
                    [] { return std::chrono::steady_clock::now(); }) {}

TartVmService::TartVmService(TartConfig config, std::shared_ptr<process::ProcessRunner> runner,
                             std::shared_ptr<process::DetachedSpawner> spawner, Clock now)
    : config_(config),
      cli_(std::move(config), std::move(runner)),
      supervisor_(cli_, std::move(spawner)),
      now_(std::move(now)),
      query_pool_(std::max<std::size_t>(1, config_.worker_threads)),
      lifecycle_pool_(std::max<std::size_t>(1, config_.worker_threads)) {}

TartVmService::~TartVmService() {
  stopping_.store(true);
  // join() without stop(): queued calls still run and every handler is still called.
  query_pool_.join();
  lifecycle_pool_.join();
}

void TartVmService::list(ListHandler done) {
  std::unique_lock lock(list_mutex_);
  const auto now = now_();
  if (list_cache_ && list_cache_generation_ == list_generation_ &&
      now - list_cache_time_ < config_.list_cache_ms) {
    auto cached = *list_cache_;
    lock.unlock();
    asio::post(query_pool_, [done = std::move(done), cached = std::move(cached)]() mutable {
      done(std::move(cached));
    });
    return;
  }
  // Join the call in flight unless our own start/stop made it stale since it began.
  if (list_flight_ && list_flight_->generation == list_generation_) {
    list_flight_->waiters.push_back(std::move(done));
    return;
  }
  auto flight = std::make_shared<ListFlight>();
  flight->generation = list_generation_;
  flight->started = now;
  flight->waiters.push_back(std::move(done));
  list_flight_ = flight;
  lock.unlock();
  asio::post(query_pool_, [this, flight] { finish_list_flight(flight, cli_.list()); });
}

void TartVmService::finish_list_flight(const std::shared_ptr<ListFlight>& flight,
                                       Result<std::vector<VmInfo>> result) {
  std::vector<ListHandler> waiters;
  {
    std::lock_guard lock(list_mutex_);
    if (result && flight->generation == list_generation_) {
      list_cache_ = *result;
      list_cache_generation_ = flight->generation;
      list_cache_time_ = flight->started;  // the answer is as old as the question
    }
    if (list_flight_ == flight) list_flight_.reset();
    waiters.swap(flight->waiters);
  }
  if (!result) log::warning("tart", "tart list failed: " + result.error().to_string());
  for (auto& waiter : waiters) waiter(result);
}

void TartVmService::invalidate_list_cache() {
  std::lock_guard lock(list_mutex_);
  ++list_generation_;
}

std::optional<VmInfo> TartVmService::cached_list_entry(const std::string& name) {
  std::lock_guard lock(list_mutex_);
  if (!list_cache_ || now_() - list_cache_time_ > kListFactsMaxAge) return std::nullopt;
  for (const auto& vm : *list_cache_) {
    if (vm.name == name) return vm;
  }
  return std::nullopt;
}

void TartVmService::get(const std::string& name, VmHandler done) {
  asio::post(query_pool_, [this, name, done = std::move(done)] { done(get_blocking(name)); });
}

Result<VmInfo> TartVmService::get_blocking(const std::string& name) {
  auto vm = cli_.get(name);
  if (!vm) return vm.error();
  if (auto listed = cached_list_entry(name)) return merge_vm_facts(std::move(*vm), *listed);
  return vm;
}

void TartVmService::start(const std::string& name, VmHandler done) {
  asio::post(lifecycle_pool_, [this, name, done = std::move(done)] {
    auto result = supervisor_.start(name, stopping_);
    invalidate_list_cache();
    if (result) {
      log::info("tart", "VM " + name + " is running");
    } else if (result.error().code != "invalid_name") {
      log::warning("tart", "start " + name + ": " + result.error().to_string());
    }
    done(std::move(result));
  });
}

void TartVmService::stop(const std::string& name, VmHandler done) {
  asio::post(lifecycle_pool_, [this, name, done = std::move(done)] {
    done(stop_blocking(name));
  });
}

Result<VmInfo> TartVmService::stop_blocking(const std::string& name) {
  auto stopped = cli_.stop(name, config_.stop_timeout);
  invalidate_list_cache();
  if (!stopped) return stopped.error();
  log::info("tart", "VM " + name + " stopped");
  auto vm = get_blocking(name);
  if (vm) return vm;
  // Stopped, then gone (deleted right away): report what we know.
  VmInfo info;
  info.name = name;
  info.state = "stopped";
  info.source = "local";
  return info;
}

void TartVmService::ip(const std::string& name, int wait_seconds, IpHandler done) {
  asio::post(lifecycle_pool_, [this, name, wait_seconds, done = std::move(done)] {
    done(ip_blocking(name, wait_seconds));
  });
}

Result<std::string> TartVmService::ip_blocking(const std::string& name, int wait_seconds) {
  // tart's own answer for a stopped VM ("no IP address found") reads like a network problem;
  // ask first so a stopped VM is a clear not_running.
  auto vm = cli_.get(name);
  if (!vm) return vm.error();
  if (!vm->running) {
    return make_error("not_running", "VM \"" + name + "\" is not running: start it first");
  }
  return cli_.ip(name, wait_seconds);
}

DriverHealth TartVmService::health() const {
  DriverHealth health;
  struct stat st {};
  const std::string& path = config_.tart_path;
  if (path.empty() || path.front() != '/') {
    health.detail = "tart path \"" + path + "\" is not absolute: set tart.path in hub.json";
  } else if (::stat(path.c_str(), &st) != 0) {
    health.detail = "tart not found at " + path + ": install tart or set tart.path";
  } else if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
    health.detail = path + " is not an executable file";
  } else {
    health.ok = true;
    health.detail = "tart found at " + path;
  }
  return health;
}

}  // namespace phoenix::hub
