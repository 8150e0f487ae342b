#pragma once
// The hub's live events, fanned out to every GET /events listener as server-sent events:
//   agent     {"vm"}   an agent connected, left, or reported a different state
//   rotation  {"id"}   a rotation or one of its VMs changed
//   vms       {}       VM power states may have changed (start/stop, the fleet watcher)
//   swarm     {}       a swarm sync finished; {"vm","refused"}: the hub refused a manager's join tokens
// Events say what changed, not the new value: a page refetches the resource it shows, so a missed
// event (a reconnect) is repaired by one reload, and the stream stays small. Thread-safe; publish
// never blocks on a slow listener (see EventSubscription).
#include "hub/events/event_subscription.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace phoenix::hub {

struct EventBusLimits {
  std::size_t max_listeners = 64;             // more get 503: each holds a connection open
  std::size_t max_queued_bytes = 256 * 1024;  // per listener
};

class EventBus {
 public:
  explicit EventBus(EventBusLimits limits = {});

  // One SSE record, numbered, to every listener. `data` is sent as one line of JSON.
  void publish(std::string_view type, const nlohmann::json& data);
  // A comment line to every listener: keeps idle connections alive through proxies, and gives a
  // vanished client unacknowledged data, which the server's TCP_USER_TIMEOUT then ends.
  void heartbeat();
  // A new listener, greeted with a "hello" event carrying `hello`; nullptr when max_listeners are
  // open or the bus is closed.
  std::shared_ptr<EventSubscription> subscribe(const nlohmann::json& hello);
  std::size_t listeners() const;
  // Ends every stream and refuses new ones (hub shutdown).
  void close();

  // The wire form of one event (exposed for tests).
  static std::string format(std::uint64_t id, std::string_view type, const nlohmann::json& data);

 private:
  void broadcast(const std::string& text);  // drops ended listeners

  const EventBusLimits limits_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<EventSubscription>> listeners_;
  std::uint64_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace phoenix::hub
