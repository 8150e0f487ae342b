#include "hub/netns/netns_vm_service.hpp"

#include "hub/netns/host_sweep.hpp"
#include "hub/netns/netns_dockerd.hpp"
#include "shared/core/log.hpp"
#include "shared/process/real_process_runner.hpp"

#include <boost/asio/post.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace phoenix::hub {
namespace {
using namespace std::chrono_literals;
namespace stdfs = std::filesystem;
constexpr const char* kLog = "netns";

std::string first_executable(const std::vector<std::string>& candidates) {
  for (const auto& path : candidates) {
    if (!path.empty() && ::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

// Single quotes for the agent's command-line splitter (no escapes inside them).
std::string single_quoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  return out + "'";
}

Error vm_not_found(const std::string& vm) {
  return make_error("vm_not_found", "no netns VM named \"" + vm + "\" is declared in hub.json");
}

Error driver_failed(const std::string& vm, const std::string& what) {
  return make_error("driver_failed", "netns VM " + vm + ": " + what);
}
}  // namespace

NetnsTools NetnsTools::find(const NetnsConfig& config, const std::string& hub_binary) {
  NetnsTools t;
  t.ip = first_executable({"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"});
  t.nsenter = first_executable({"/usr/bin/nsenter", "/bin/nsenter", "/usr/sbin/nsenter"});
  t.dockerd = config.dockerd_path.empty() ? first_executable({"/usr/sbin/dockerd", "/usr/bin/dockerd"})
                                          : first_executable({config.dockerd_path});
  const stdfs::path hub_dir = stdfs::path(hub_binary).parent_path();
  t.agent = config.agent_path.empty()
                ? first_executable({(hub_dir / "phoenix-agent").string(), (hub_dir / "../agent/phoenix-agent").string(),
                                    "/usr/bin/phoenix-agent", "/usr/local/bin/phoenix-agent"})
                : first_executable({config.agent_path});
  if (!t.agent.empty()) t.agent = stdfs::weakly_canonical(t.agent).string();
  return t;
}

std::string NetnsTools::missing() const {
  std::string out;
  if (ip.empty()) out += " ip (apt-get install iproute2)";
  if (nsenter.empty()) out += " nsenter (apt-get install util-linux)";
  if (dockerd.empty()) out += " dockerd (apt-get install docker.io, or set netns.dockerd)";
  if (agent.empty()) out += " phoenix-agent (install it beside phoenix-hub, or set netns.agent)";
  return out;
}

NetnsVmService::NetnsVmService(NetnsDriverSettings settings)
    : settings_(std::move(settings)),
      tools_(NetnsTools::find(settings_.config, settings_.hub_binary)),
      bridge_(bridge_layout(settings_.config)),
      runner_(std::make_shared<process::RealProcessRunner>()),
      spawner_(std::make_shared<process::RealDetachedSpawner>()) {
  for (std::size_t i = 0; i < settings_.config.vms.size(); ++i) {
    vms_.push_back(Vm{vm_layout(settings_.config, i, settings_.state_dir), nullptr, false});
  }
  if (::geteuid() == 0 && tools_.missing().empty()) clear_leftovers();
}

NetnsVmService::~NetnsVmService() {
  lifecycle_.join();
  queries_.join();  // no query or lifecycle call runs from here on (stop_vm takes mutex_ itself)
  // In parallel: a swarm manager's dockerd alone may take several seconds to stop.
  std::vector<std::thread> stoppers;
  for (auto& vm : vms_) {
    if (vm.agent || stdfs::exists(vm.layout.netns_path)) stoppers.emplace_back([this, &vm] { stop_vm(vm); });
  }
  for (auto& t : stoppers) t.join();
  if (bridge_up_) (void)run_ip(bridge_delete_command(bridge_), true);
  log::info(kLog, "removed every netns VM and the bridge " + bridge_.bridge);
}

void NetnsVmService::clear_leftovers() {
  for (auto& vm : vms_) {
    if (stdfs::exists(vm.layout.netns_path) || stdfs::exists(vm.layout.runtime)) {
      log::notice(kLog, "clearing what an earlier hub left of " + vm.layout.vm);
      stop_vm(vm);
    }
  }
}

NetnsVmService::Vm* NetnsVmService::find(const std::string& name) {
  for (auto& vm : vms_) {
    if (vm.layout.vm == name) return &vm;
  }
  return nullptr;
}

bool NetnsVmService::running(const Vm& vm) const { return vm.agent && !vm.agent->exit_code(); }

VmInfo NetnsVmService::info_locked(const Vm& vm) const {
  VmInfo info;
  info.name = vm.layout.vm;
  info.running = running(vm);
  info.state = info.running ? "running" : "stopped";
  info.source = "local";
  info.os = "linux";
  return info;
}

Result<void> NetnsVmService::run_ip(const Argv& args, bool ignore_failure) {
  process::RunOptions options;
  options.argv = {tools_.ip};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.timeout = 10s;
  auto result = runner_->run(options);
  if (!result) return result.error();
  if (result->exit_code != 0 && !ignore_failure) {
    std::string command = "ip";
    for (const auto& a : args) command += " " + a;
    return make_error("driver_failed", "`" + command + "` failed: " + result->err);
  }
  return ok();
}

Result<void> NetnsVmService::ensure_bridge() {
  if (bridge_up_) return ok();
  (void)run_ip({"link", "delete", bridge_.bridge}, true);  // a leftover of a hub that died
  for (const auto& args : bridge_up_commands(bridge_)) {
    if (auto done = run_ip(args); !done) return done;
  }
  bridge_up_ = true;
  log::info(kLog, "bridge " + bridge_.bridge + " up at " + bridge_.host_cidr);
  return ok();
}

Result<void> NetnsVmService::start_vm(Vm& vm) {
  const auto& l = vm.layout;
  if (auto missing = tools_.missing(); !missing.empty()) return driver_failed(l.vm, "missing:" + missing);
  if (auto bridged = ensure_bridge(); !bridged) return bridged;
  stop_vm(vm);  // anything half-made by an earlier attempt
  for (const auto& args : vm_network_up_commands(bridge_, l)) {
    if (auto done = run_ip(args); !done) {
      stop_vm(vm);
      return driver_failed(l.vm, done.error().message);
    }
  }
  std::error_code ec;
  for (const auto& dir : {l.root + "/etc/docker", l.root + "/root", l.agent_state, l.runtime}) {
    stdfs::create_directories(dir, ec);
  }
  stdfs::permissions(l.agent_state, stdfs::perms::owner_all, ec);
  if (!stdfs::exists(l.root + "/etc/docker/daemon.json")) std::ofstream(l.root + "/etc/docker/daemon.json") << "{}\n";

  const auto dockerd = NetnsDockerd::for_vm(l, tools_.nsenter, tools_.dockerd);
  if (auto saved = save_dockerd_settings(l.dir, dockerd); !saved) return driver_failed(l.vm, saved.error().message);
  if (auto started = start_netns_dockerd(dockerd, 60s); !started) {
    stop_vm(vm);
    return driver_failed(l.vm, started.error().message);
  }

  if (!stdfs::exists(l.agent_state + "/identity/cert.pem")) {
    auto token = settings_.make_token(l.vm);
    if (!token) {
      stop_vm(vm);
      return driver_failed(l.vm, "cannot make an enrollment token: " + token.error().message);
    }
    process::RunOptions enroll;
    enroll.argv = {tools_.nsenter, "--net=" + l.netns_path, "--", tools_.agent, "enroll", "--token", *token,
                   "--state-dir", l.agent_state};
    enroll.timeout = 30s;
    auto enrolled = runner_->run(enroll);
    if (!enrolled || enrolled->exit_code != 0) {
      stop_vm(vm);
      return driver_failed(l.vm, "phoenix-agent enroll failed: " +
                                     (enrolled ? enrolled->err + enrolled->out : enrolled.error().message));
    }
  }
  const std::string restart = single_quoted(settings_.hub_binary) + " netns restart-dockerd --dir " + single_quoted(l.dir);
  Argv agent{tools_.nsenter, "--net=" + l.netns_path, "--", tools_.agent, "run", "--state-dir", l.agent_state,
             "--root", l.root, "--users", "root", "--docker-socket", l.docker_socket, "--restart-command", restart};
  agent.insert(agent.end(), settings_.agent_extra_args.begin(), settings_.agent_extra_args.end());
  auto child = spawner_->spawn({agent, l.dir + "/agent.log", {}});
  if (!child) {
    stop_vm(vm);
    return driver_failed(l.vm, "cannot start phoenix-agent: " + child.error().message);
  }
  {
    std::lock_guard lock(mutex_);  // queries read vm.agent
    vm.agent = *child;
  }
  log::notice(kLog, l.vm + " running at " + l.address + " (namespace " + l.netns + ", agent pid " +
                        std::to_string((*child)->pid()) + ")");
  return ok();
}

void NetnsVmService::stop_vm(Vm& vm) {
  const auto& l = vm.layout;
  std::shared_ptr<process::DetachedChild> agent;
  {
    std::lock_guard lock(mutex_);  // queries read vm.agent
    agent = std::move(vm.agent);
    vm.agent.reset();
  }
  if (agent) terminate_process(agent->pid(), 10s);
  // The agent may be one an earlier hub started: find it by its state dir.
  if (auto settings = load_dockerd_settings(l.dir)) {
    stop_netns_dockerd(*settings);
  } else {
    stop_netns_dockerd(NetnsDockerd::for_vm(l, tools_.nsenter, tools_.dockerd));
  }
  if (stdfs::exists(l.netns_path)) (void)run_ip(netns_delete_command(l), true);
  (void)run_ip({"link", "delete", l.veth_host}, true);
  std::error_code ec;
  stdfs::remove_all(l.runtime, ec);
}

void NetnsVmService::list(ListHandler done) {
  boost::asio::post(queries_, [this, done = std::move(done)] {
    std::vector<VmInfo> out;
    {
      std::lock_guard lock(mutex_);
      for (const auto& vm : vms_) out.push_back(info_locked(vm));
    }
    done(std::move(out));
  });
}

void NetnsVmService::get(const std::string& name, VmHandler done) {
  boost::asio::post(queries_, [this, name, done = std::move(done)] {
    std::unique_lock lock(mutex_);
    const Vm* vm = find(name);
    if (!vm) {
      lock.unlock();
      return done(vm_not_found(name));
    }
    const auto info = info_locked(*vm);
    lock.unlock();
    done(info);
  });
}

void NetnsVmService::start(const std::string& name, VmHandler done) {
  boost::asio::post(lifecycle_, [this, name, done = std::move(done)] {
    std::unique_lock lock(mutex_);
    Vm* vm = find(name);
    if (!vm) {
      lock.unlock();
      return done(vm_not_found(name));
    }
    if (running(*vm)) {
      lock.unlock();
      return done(make_error("already_running", "VM \"" + name + "\" is already running"));
    }
    vm->starting = true;
    lock.unlock();  // queries answer meanwhile; only this thread changes VMs
    auto started = start_vm(*vm);
    lock.lock();
    vm->starting = false;
    const auto info = info_locked(*vm);
    lock.unlock();
    if (!started) return done(started.error());
    done(info);
  });
}

void NetnsVmService::stop(const std::string& name, VmHandler done) {
  boost::asio::post(lifecycle_, [this, name, done = std::move(done)] {
    std::unique_lock lock(mutex_);
    Vm* vm = find(name);
    if (!vm) {
      lock.unlock();
      return done(vm_not_found(name));
    }
    if (!running(*vm)) {
      lock.unlock();
      return done(make_error("not_running", "VM \"" + name + "\" is not running"));
    }
    lock.unlock();
    stop_vm(*vm);
    lock.lock();
    const auto info = info_locked(*vm);
    lock.unlock();
    log::notice(kLog, name + " stopped");
    done(info);
  });
}

void NetnsVmService::ip(const std::string& name, int /*wait_seconds*/, IpHandler done) {
  boost::asio::post(queries_, [this, name, done = std::move(done)] {
    std::unique_lock lock(mutex_);
    const Vm* vm = find(name);
    if (!vm) {
      lock.unlock();
      return done(vm_not_found(name));
    }
    const bool up = running(*vm);
    const std::string address = vm->layout.address;
    lock.unlock();
    if (!up) return done(make_error("not_running", "VM \"" + name + "\" is not running: start it first"));
    done(address);
  });
}

DriverHealth NetnsVmService::health() const {
  if (::geteuid() != 0) return {false, "the netns driver needs root (network namespaces, dockerd)"};
  if (auto missing = tools_.missing(); !missing.empty()) return {false, "missing:" + missing};
  return {true, "netns driver: bridge " + bridge_.bridge + " " + bridge_.host_cidr + ", " +
                    std::to_string(vms_.size()) + " VM(s) declared"};
}

}  // namespace phoenix::hub
