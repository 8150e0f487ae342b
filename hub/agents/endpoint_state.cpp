#include "hub/agents/endpoint_state.hpp"

namespace phoenix::hub {

std::uint64_t ConnectionTracker::add(std::weak_ptr<Stoppable> connection) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  connections_.emplace(id, std::move(connection));
  return id;
}

void ConnectionTracker::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
}

std::vector<std::shared_ptr<Stoppable>> ConnectionTracker::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Stoppable>> out;
  for (const auto& [id, weak] : connections_) {
    if (auto connection = weak.lock()) out.push_back(std::move(connection));
  }
  return out;
}

}  // namespace phoenix::hub
