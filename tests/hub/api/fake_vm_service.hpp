#pragma once
// An in-memory VmService for route tests: VMs in a map, answers given synchronously (or
// from a worker thread when `async` is set), every call recorded.
#include "hub/vms/vm_service.hpp"

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace phoenix::test {

class FakeVmService : public hub::VmService {
 public:
  void add(const std::string& name, bool running);
  // The next calls of any kind fail with this error.
  void fail_with(Error error) { failure_ = std::move(error); }
  void set_health(bool ok, std::string detail) { health_ = {ok, std::move(detail)}; }
  void set_async(bool async) { async_ = async; }

  std::vector<std::string> calls() const;  // "list", "get a", "start a", "ip a 5"

  void list(ListHandler done) override;
  void get(const std::string& name, VmHandler done) override;
  void start(const std::string& name, VmHandler done) override;
  void stop(const std::string& name, VmHandler done) override;
  void ip(const std::string& name, int wait_seconds, IpHandler done) override;
  hub::DriverHealth health() const override { return health_; }

 private:
  void record(std::string call);
  template <class F>
  void answer(F&& f);
  Result<hub::VmInfo> find(const std::string& name) const;

  mutable std::mutex mutex_;
  std::map<std::string, hub::VmInfo> vms_;
  std::vector<std::string> calls_;
  std::optional<Error> failure_;
  hub::DriverHealth health_{true, "fake driver"};
  bool async_ = false;
};

}  // namespace phoenix::test
