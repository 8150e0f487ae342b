#pragma once
// Notices VM power changes the hub did not make itself (someone ran `tart stop`, a VM crashed):
// while anyone listens to GET /events, it lists the VMs every `interval` and publishes "vms" when a
// name or state differs from the last list. With no listener it asks the driver nothing. The list
// goes through the driver's cache, so it adds no tart calls when the API is busy anyway.
#include "hub/events/event_bus.hpp"
#include "hub/vms/vm_service.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub {

class FleetWatcher : public std::enable_shared_from_this<FleetWatcher> {
 public:
  FleetWatcher(boost::asio::any_io_executor executor, std::shared_ptr<VmService> service, std::shared_ptr<EventBus> bus,
               std::chrono::milliseconds interval);

  void start();
  void stop();

  // The part of a list that decides whether anything changed (exposed for tests).
  static std::string fingerprint(const std::vector<VmInfo>& vms);

 private:
  void schedule(std::chrono::milliseconds after);
  void check();
  void on_list(const Result<std::vector<VmInfo>>& listed);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::shared_ptr<VmService> service_;
  std::shared_ptr<EventBus> bus_;
  std::chrono::milliseconds interval_;
  boost::asio::steady_timer timer_;
  std::optional<std::string> last_;  // nullopt: no list seen since someone listens
  bool stopped_ = false;
};

}  // namespace phoenix::hub
