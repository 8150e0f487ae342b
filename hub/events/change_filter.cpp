#include "hub/events/change_filter.hpp"

namespace phoenix::hub {

bool ChangeFilter::changed(const std::string& key, std::optional<std::string> fingerprint) {
  std::lock_guard lock(mutex_);
  auto it = last_.find(key);
  if (!fingerprint) {
    if (it == last_.end()) return false;
    last_.erase(it);
    return true;
  }
  if (it != last_.end() && it->second == *fingerprint) return false;
  last_[key] = std::move(*fingerprint);
  return true;
}

}  // namespace phoenix::hub
