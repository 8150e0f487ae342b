#pragma once
// `phoenix-hub revoke` runs in another process and can only write the store; the serving
// hub notices by polling store.revoked_names() and closes the live channels of those names.
// The poll timer runs on the io_context, the store read on `blocking` (a thread pool), so a
// CLI holding SQLite's write lock never stalls the io threads.
#include "hub/agents/agent_registry.hpp"
#include "hub/store/hub_store.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace phoenix::hub::api {

// Closes (via registry.revoke) every connected agent whose name the store lists as
// revoked; returns how many it closed, or the store's error.
Result<int> close_revoked_sessions(HubStore& store, AgentRegistry& registry);

class RevocationWatcher : public std::enable_shared_from_this<RevocationWatcher> {
 public:
  RevocationWatcher(boost::asio::io_context& ioc, boost::asio::thread_pool& blocking,
                    std::shared_ptr<HubStore> store, std::shared_ptr<AgentRegistry> registry,
                    std::chrono::milliseconds interval = std::chrono::seconds{2});
  void start();
  void stop();  // any thread

 private:
  void arm();
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool& blocking_;
  std::shared_ptr<HubStore> store_;
  std::shared_ptr<AgentRegistry> registry_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stopped_{false};
};

}  // namespace phoenix::hub::api
