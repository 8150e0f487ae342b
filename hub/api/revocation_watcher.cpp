#include "hub/api/revocation_watcher.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace phoenix::hub::api {

Result<int> close_revoked_sessions(HubStore& store, AgentRegistry& registry) {
  auto revoked = store.revoked_names();  // sorted
  if (!revoked) return revoked.error();
  int closed = 0;
  for (const auto& agent : registry.connected()) {
    if (!std::binary_search(revoked->begin(), revoked->end(), agent.name)) continue;
    log::notice("serve", "agent " + agent.name + " was revoked: closing its connection");
    // Revoking again is harmless (the store allows it) and is the registry's way to close.
    if (auto r = registry.revoke(agent.name); !r) return r.error();
    ++closed;
  }
  return closed;
}

RevocationWatcher::RevocationWatcher(boost::asio::io_context& ioc, boost::asio::thread_pool& blocking,
                                     std::shared_ptr<HubStore> store,
                                     std::shared_ptr<AgentRegistry> registry,
                                     std::chrono::milliseconds interval)
    : timer_(ioc), blocking_(blocking), store_(std::move(store)), registry_(std::move(registry)),
      interval_(interval) {}

void RevocationWatcher::start() { arm(); }

void RevocationWatcher::stop() {
  stopped_ = true;
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

void RevocationWatcher::arm() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    boost::asio::post(self->blocking_, [self] {
      if (auto r = close_revoked_sessions(*self->store_, *self->registry_); !r) {
        log::warning("serve", "could not read revocations: " + r.error().message);
      }
      // Re-armed on the timer's executor: the timer is not thread-safe.
      boost::asio::post(self->timer_.get_executor(), [self] { self->arm(); });
    });
  });
}

}  // namespace phoenix::hub::api
