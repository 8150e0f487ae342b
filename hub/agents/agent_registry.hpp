#pragma once
// The live fleet: which agents are connected right now, since when, and their last state.
// Thread-safe snapshot API for the HTTP API (GET /agents, revoke) and, later, rotation and
// swarm orchestration (send_command). Sessions register themselves here; the registry
// holds them weakly, so a finished session never lingers.
#include "hub/store/hub_store.hpp"
#include "shared/core/error.hpp"
#include "shared/protocol/message_type.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace phoenix::hub {

// Answer to a command: the agent's `result` body, or an Error ("agent_not_connected",
// "command_timeout", "agent_disconnected", or the agent's own `error` code and message).
using CommandCallback = std::function<void(Result<nlohmann::json>)>;

// What the registry needs from one live connection. AgentSession implements it; tests
// use a fake. Both calls are thread-safe and return at once (the work is posted).
class AgentLink {
 public:
  virtual ~AgentLink() = default;
  // Sends a close frame with `code` (1000 normal, 1001 going away, 1008 policy violation).
  virtual void close(std::uint16_t code, std::string reason) = 0;
  virtual void send_command(protocol::MessageType type, nlohmann::json body, CommandCallback done,
                            std::chrono::milliseconds timeout) = 0;
};

struct ConnectedAgent {
  std::string name;
  StoreTime since{};          // when this connection was accepted
  std::string cert_serial;    // the identity cert the connection was made with
  nlohmann::json last_state;  // last hello/state body; null before the first one
  std::string address;        // the IP this connection comes from, as the hub sees it
};

class AgentRegistry {
 public:
  // `executor` runs callbacks that must not run inside the caller's stack (an answer for
  // an agent that is not connected).
  AgentRegistry(boost::asio::any_io_executor executor, std::shared_ptr<HubStore> store);

  // --- snapshot API (any thread) ---
  std::vector<ConnectedAgent> connected() const;  // sorted by name
  std::optional<ConnectedAgent> find(const std::string& name) const;
  bool is_connected(const std::string& name) const;
  std::size_t size() const;

  // Puts the agent on the deny list (store) and closes its live connection at once with
  // 1008 (policy violation). Errors: the store's ("agent_not_found", "store_error").
  Result<void> revoke(const std::string& name);

  // Sends a hub -> agent command; `done` runs once, on the agent's strand (or the
  // registry's executor when the agent is not connected), with the agent's answer or an
  // error after `timeout`.
  void send_command(const std::string& name, protocol::MessageType type, nlohmann::json body,
                    CommandCallback done,
                    std::chrono::milliseconds timeout = std::chrono::seconds{30});

  // Called after an agent connects, disconnects or reports a new state, with its name,
  // outside the registry's lock, on the thread that made the change. Keep it cheap.
  using ChangeObserver = std::function<void(const std::string& name)>;
  void on_change(ChangeObserver observer);

  // --- for the endpoint's sessions ---
  // Registers `link` as `name`'s connection; returns the one it replaces (to be closed).
  std::shared_ptr<AgentLink> attach(const std::string& name, const std::shared_ptr<AgentLink>& link,
                                    std::string cert_serial, StoreTime now, std::string address = {});
  // Removes `name` only if `link` is still its connection (a replaced session must not
  // remove its successor). Returns whether it did.
  bool detach(const std::string& name, const AgentLink* link);
  void update_state(const std::string& name, const AgentLink* link, nlohmann::json state);
  // Every live connection (for a graceful stop).
  std::vector<std::shared_ptr<AgentLink>> links() const;

  // Identity renewal: the serial an agent renewed from stays acceptable until its next
  // successful connection with the new one, so a drop between the hub recording the new
  // cert and the agent swapping to it never locks the agent out. In memory only.
  void remember_previous_serial(const std::string& name, const std::string& serial);
  bool is_previous_serial(const std::string& name, const std::string& serial) const;

  // Why an agent's last connection ended (a rate limit's 1008, a timeout, the agent's own
  // close), for GET /agents: an operator sees why an agent dropped without reading the log.
  // In memory only (since the hub started).
  struct Disconnect {
    std::string reason;
    StoreTime at{};
  };
  void record_disconnect(const std::string& name, std::string reason, StoreTime at);
  std::optional<Disconnect> last_disconnect(const std::string& name) const;

 private:
  struct Entry {
    std::weak_ptr<AgentLink> link;
    const AgentLink* identity = nullptr;
    ConnectedAgent facts;
  };
  void notify(const std::string& name) const;

  boost::asio::any_io_executor executor_;
  std::shared_ptr<HubStore> store_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> previous_serials_;
  std::map<std::string, Disconnect> disconnects_;
  std::vector<ChangeObserver> observers_;
};

}  // namespace phoenix::hub
