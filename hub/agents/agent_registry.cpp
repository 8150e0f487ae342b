#include "hub/agents/agent_registry.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

namespace phoenix::hub {

AgentRegistry::AgentRegistry(boost::asio::any_io_executor executor, std::shared_ptr<HubStore> store)
    : executor_(std::move(executor)), store_(std::move(store)) {}

std::vector<ConnectedAgent> AgentRegistry::connected() const {
  std::lock_guard lock(mutex_);
  std::vector<ConnectedAgent> out;
  out.reserve(entries_.size());
  for (const auto& [name, entry] : entries_) out.push_back(entry.facts);
  return out;
}

std::optional<ConnectedAgent> AgentRegistry::find(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return std::nullopt;
  return it->second.facts;
}

bool AgentRegistry::is_connected(const std::string& name) const {
  std::lock_guard lock(mutex_);
  return entries_.count(name) != 0;
}

std::size_t AgentRegistry::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

Result<void> AgentRegistry::revoke(const std::string& name) {
  auto revoked = store_->revoke(name, std::chrono::system_clock::now());
  if (!revoked) return revoked.error();
  std::shared_ptr<AgentLink> link;
  {
    std::lock_guard lock(mutex_);
    previous_serials_.erase(name);
    if (auto it = entries_.find(name); it != entries_.end()) link = it->second.link.lock();
  }
  log::notice("agent-endpoint", "agent " + name + " revoked" +
                                    (link ? ": closing its live connection" : ""));
  if (link) link->close(1008, "identity revoked");
  return ok();
}

void AgentRegistry::send_command(const std::string& name, protocol::MessageType type,
                                 nlohmann::json body, CommandCallback done,
                                 std::chrono::milliseconds timeout) {
  std::shared_ptr<AgentLink> link;
  {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(name); it != entries_.end()) link = it->second.link.lock();
  }
  if (!link) {
    boost::asio::post(executor_, [done = std::move(done), name] {
      done(make_error("agent_not_connected",
                      "agent " + name + " is not connected; the command was not sent"));
    });
    return;
  }
  link->send_command(type, std::move(body), std::move(done), timeout);
}

void AgentRegistry::on_change(ChangeObserver observer) {
  std::lock_guard lock(mutex_);
  observers_.push_back(std::move(observer));
}

std::shared_ptr<AgentLink> AgentRegistry::attach(const std::string& name,
                                                 const std::shared_ptr<AgentLink>& link,
                                                 std::string cert_serial, StoreTime now, std::string address) {
  std::shared_ptr<AgentLink> replaced;
  {
    std::lock_guard lock(mutex_);
    auto& entry = entries_[name];
    replaced = entry.link.lock();
    entry.link = link;
    entry.identity = link.get();
    entry.facts = ConnectedAgent{name, now, cert_serial, nlohmann::json(), std::move(address)};
    // Connected with the new identity: the one it renewed from is no longer needed.
    if (auto it = previous_serials_.find(name);
        it != previous_serials_.end() && it->second != cert_serial) {
      previous_serials_.erase(it);
    }
  }
  notify(name);
  return replaced;
}

bool AgentRegistry::detach(const std::string& name, const AgentLink* link) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end() || it->second.identity != link) return false;
    entries_.erase(it);
  }
  notify(name);
  return true;
}

void AgentRegistry::update_state(const std::string& name, const AgentLink* link,
                                 nlohmann::json state) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end() || it->second.identity != link) return;
    it->second.facts.last_state = std::move(state);
  }
  notify(name);
}

std::vector<std::shared_ptr<AgentLink>> AgentRegistry::links() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<AgentLink>> out;
  for (const auto& [name, entry] : entries_) {
    if (auto link = entry.link.lock()) out.push_back(std::move(link));
  }
  return out;
}

void AgentRegistry::remember_previous_serial(const std::string& name, const std::string& serial) {
  std::lock_guard lock(mutex_);
  previous_serials_[name] = serial;
}

bool AgentRegistry::is_previous_serial(const std::string& name, const std::string& serial) const {
  std::lock_guard lock(mutex_);
  auto it = previous_serials_.find(name);
  return it != previous_serials_.end() && it->second == serial;
}

void AgentRegistry::notify(const std::string& name) const {
  std::vector<ChangeObserver> observers;
  {
    std::lock_guard lock(mutex_);
    observers = observers_;
  }
  for (const auto& observer : observers) observer(name);
}

void AgentRegistry::record_disconnect(const std::string& name, std::string reason, StoreTime at) {
  std::lock_guard lock(mutex_);
  disconnects_[name] = Disconnect{std::move(reason), at};
}

std::optional<AgentRegistry::Disconnect> AgentRegistry::last_disconnect(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const auto it = disconnects_.find(name);
  if (it == disconnects_.end()) return std::nullopt;
  return it->second;
}

}  // namespace phoenix::hub
