#include "tests/hub/api/fake_vm_service.hpp"

#include <thread>

namespace phoenix::test {

void FakeVmService::add(const std::string& name, bool running) {
  std::lock_guard lock(mutex_);
  hub::VmInfo vm;
  vm.name = name;
  vm.running = running;
  vm.state = running ? "running" : "stopped";
  vm.source = "local";
  vms_[name] = vm;
}

std::vector<std::string> FakeVmService::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

void FakeVmService::record(std::string call) {
  std::lock_guard lock(mutex_);
  calls_.push_back(std::move(call));
}

template <class F>
void FakeVmService::answer(F&& f) {
  if (async_) {
    std::thread(std::forward<F>(f)).detach();
  } else {
    f();
  }
}

Result<hub::VmInfo> FakeVmService::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (failure_) return *failure_;
  const auto it = vms_.find(name);
  if (it == vms_.end()) return make_error("vm_not_found", "the specified VM \"" + name + "\" does not exist");
  return it->second;
}

void FakeVmService::list(ListHandler done) {
  record("list");
  answer([this, done] {
    std::vector<hub::VmInfo> out;
    {
      std::lock_guard lock(mutex_);
      if (failure_) return done(*failure_);
      for (const auto& [name, vm] : vms_) out.push_back(vm);
    }
    done(out);
  });
}

void FakeVmService::get(const std::string& name, VmHandler done) {
  record("get " + name);
  answer([this, name, done] { done(find(name)); });
}

void FakeVmService::start(const std::string& name, VmHandler done) {
  record("start " + name);
  answer([this, name, done] {
    auto vm = find(name);
    if (!vm) return done(vm.error());
    if (vm->running) return done(make_error("already_running", "VM \"" + name + "\" is already running!"));
    std::lock_guard lock(mutex_);
    vms_[name].running = true;
    vms_[name].state = "running";
    done(vms_[name]);
  });
}

void FakeVmService::stop(const std::string& name, VmHandler done) {
  record("stop " + name);
  answer([this, name, done] {
    auto vm = find(name);
    if (!vm) return done(vm.error());
    if (!vm->running) return done(make_error("not_running", "VM \"" + name + "\" is not running"));
    std::lock_guard lock(mutex_);
    vms_[name].running = false;
    vms_[name].state = "stopped";
    done(vms_[name]);
  });
}

void FakeVmService::ip(const std::string& name, int wait_seconds, IpHandler done) {
  record("ip " + name + " " + std::to_string(wait_seconds));
  answer([this, name, done] {
    auto vm = find(name);
    if (!vm) return done(vm.error());
    if (!vm->running) return done(make_error("not_running", "no IP address found, is your VM running?"));
    done(std::string("192.168.64.7"));
  });
}

}  // namespace phoenix::test
