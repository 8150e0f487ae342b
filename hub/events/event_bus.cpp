#include "hub/events/event_bus.hpp"

#include "shared/core/safe_text.hpp"

#include <algorithm>

namespace phoenix::hub {
namespace {

// How long a browser waits before reconnecting after the stream drops.
constexpr int kRetryMs = 2000;

}  // namespace

EventBus::EventBus(EventBusLimits limits) : limits_(limits) {}

std::string EventBus::format(std::uint64_t id, std::string_view type, const nlohmann::json& data) {
  // dump() escapes control characters, so the JSON is one line and cannot end the record.
  std::string out = "id: " + std::to_string(id) + "\nevent: ";
  out.append(type);
  out += "\ndata: " + dump_json(data) + "\n\n";
  return out;
}

void EventBus::publish(std::string_view type, const nlohmann::json& data) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (listeners_.empty()) return;
    id = next_id_++;
  }
  broadcast(format(id, type, data));
}

void EventBus::heartbeat() { broadcast(": ping\n\n"); }

std::shared_ptr<EventSubscription> EventBus::subscribe(const nlohmann::json& hello) {
  auto listener = std::make_shared<EventSubscription>(limits_.max_queued_bytes);
  std::lock_guard lock(mutex_);
  std::erase_if(listeners_, [](const auto& l) { return l->ended(); });
  if (closed_ || listeners_.size() >= limits_.max_listeners) return nullptr;
  listener->push("retry: " + std::to_string(kRetryMs) + "\n" + format(next_id_++, "hello", hello));
  listeners_.push_back(listener);
  return listener;
}

std::size_t EventBus::listeners() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(listeners_.begin(), listeners_.end(), [](const auto& l) { return !l->ended(); }));
}

void EventBus::close() {
  std::vector<std::shared_ptr<EventSubscription>> listeners;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    listeners.swap(listeners_);
  }
  for (const auto& l : listeners) l->finish();
}

void EventBus::broadcast(const std::string& text) {
  std::vector<std::shared_ptr<EventSubscription>> listeners;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(listeners_, [](const auto& l) { return l->ended(); });
    listeners = listeners_;
  }
  // Outside the lock: a push may wake a reader, which posts to its connection.
  for (const auto& l : listeners) l->push(text);
}

}  // namespace phoenix::hub
