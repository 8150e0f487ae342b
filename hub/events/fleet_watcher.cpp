#include "hub/events/fleet_watcher.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace phoenix::hub {
namespace {

// While nobody listens: how often to look whether someone does (no driver call).
constexpr std::chrono::milliseconds kIdleInterval{250};

}  // namespace

FleetWatcher::FleetWatcher(boost::asio::any_io_executor executor, std::shared_ptr<VmService> service,
                           std::shared_ptr<EventBus> bus, std::chrono::milliseconds interval)
    : strand_(boost::asio::make_strand(executor)),
      service_(std::move(service)),
      bus_(std::move(bus)),
      interval_(interval),
      timer_(strand_) {}

std::string FleetWatcher::fingerprint(const std::vector<VmInfo>& vms) {
  std::vector<std::string> parts;
  parts.reserve(vms.size());
  for (const auto& vm : vms) parts.push_back(vm.name + '=' + vm.state);
  std::sort(parts.begin(), parts.end());  // the driver's order is not a change
  std::string out;
  for (const auto& p : parts) out += p + '\n';
  return out;
}

void FleetWatcher::start() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] { self->schedule(kIdleInterval); });
}

void FleetWatcher::stop() {
  boost::asio::dispatch(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void FleetWatcher::schedule(std::chrono::milliseconds after) {
  if (stopped_) return;
  timer_.expires_after(after);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->check();
  });
}

void FleetWatcher::check() {
  if (stopped_) return;
  if (bus_->listeners() == 0) {
    // Nobody saw the last list. Look again soon, so that a new listener's page and the watcher
    // start from (nearly) the same list.
    last_.reset();
    return schedule(kIdleInterval);
  }
  service_->list([self = shared_from_this()](Result<std::vector<VmInfo>> listed) {
    boost::asio::post(self->strand_, [self, listed = std::move(listed)] {
      self->on_list(listed);
      self->schedule(self->interval_);
    });
  });
}

void FleetWatcher::on_list(const Result<std::vector<VmInfo>>& listed) {
  if (!listed) return;  // the API reports driver errors; a failed look changes nothing
  auto now = fingerprint(*listed);
  if (last_ && now != *last_) bus_->publish("vms", nlohmann::json::object());
  last_ = std::move(now);
}

}  // namespace phoenix::hub
