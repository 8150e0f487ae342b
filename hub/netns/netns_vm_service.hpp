#pragma once
// VmService for the netns driver (`phoenix-hub serve --driver netns`, Linux, root): the VMs
// are declared in hub.json; start = the VM's namespace on the bridge, its dockerd, a one-time
// enrollment token and a phoenix-agent that enrolls itself and connects to the hub; stop =
// agent and dockerd stopped, their mounts and the namespace removed. The VM's directory under
// `<state>/netns/<vm>` (agent identity, /etc/docker, root's home) is its disk and is kept, so
// a restarted VM comes back with its identity and TLS. On destruction (hub exit) every VM
// still running is stopped and the bridge removed; at construction, leftovers of a hub that
// died are cleared first.
//
// Calls return at once: lifecycle work runs on one worker thread (in order), queries on another.
#include "hub/netns/netns_layout.hpp"
#include "hub/vms/vm_service.hpp"
#include "shared/process/detached_spawner.hpp"
#include "shared/process/process_runner.hpp"

#include <boost/asio/thread_pool.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace phoenix::hub {

struct NetnsDriverSettings {
  NetnsConfig config;
  std::string state_dir;
  std::string hub_binary;  // the agents' restart command runs `<hub> netns restart-dockerd`
  // A one-time enrollment token for `vm`, whose URL the VM's namespace can reach.
  std::function<Result<std::string>(const std::string& vm)> make_token;
  std::vector<std::string> agent_extra_args;  // appended to `phoenix-agent run` (tests: timings)
};

// The executables the driver needs, found on this machine ("" when missing).
struct NetnsTools {
  std::string ip, nsenter, dockerd, agent;
  static NetnsTools find(const NetnsConfig& config, const std::string& hub_binary);
  std::string missing() const;  // "" when all are there, else what to install
};

class NetnsVmService : public VmService {
 public:
  explicit NetnsVmService(NetnsDriverSettings settings);
  ~NetnsVmService() override;
  NetnsVmService(const NetnsVmService&) = delete;
  NetnsVmService& operator=(const NetnsVmService&) = delete;

  void list(ListHandler done) override;
  void get(const std::string& name, VmHandler done) override;
  void start(const std::string& name, VmHandler done) override;
  void stop(const std::string& name, VmHandler done) override;
  void ip(const std::string& name, int wait_seconds, IpHandler done) override;
  DriverHealth health() const override;

 private:
  struct Vm {
    NetnsVmLayout layout;
    std::shared_ptr<process::DetachedChild> agent;
    bool starting = false;
  };
  Vm* find(const std::string& name);
  bool running(const Vm& vm) const;
  VmInfo info_locked(const Vm& vm) const;
  Result<void> run_ip(const Argv& args, bool ignore_failure = false);
  Result<void> ensure_bridge();
  Result<void> start_vm(Vm& vm);  // on the lifecycle thread
  void stop_vm(Vm& vm);           // on the lifecycle thread, or in the destructor
  void clear_leftovers();

  NetnsDriverSettings settings_;
  NetnsTools tools_;
  NetnsBridgeLayout bridge_;
  std::shared_ptr<process::ProcessRunner> runner_;
  std::shared_ptr<process::DetachedSpawner> spawner_;
  mutable std::mutex mutex_;
  std::vector<Vm> vms_;
  bool bridge_up_ = false;
  boost::asio::thread_pool lifecycle_{1};
  boost::asio::thread_pool queries_{1};
};

}  // namespace phoenix::hub
