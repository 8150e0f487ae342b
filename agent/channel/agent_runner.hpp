#pragma once
// `phoenix-agent run`'s event loop (one thread, C++20 coroutines on Asio): keep one
// mutual-TLS WebSocket to the hub, say hello, report state changes, answer commands,
// renew the identity at its random 70-90 % point, and reconnect with full-jitter
// backoff. The identity on disk is only ever replaced by a complete, verified one
// (IdentityStore::install), so an unreachable hub can delay a renewal but never lock
// the agent out.
#include "agent/channel/agent_config.hpp"
#include "agent/channel/backoff.hpp"
#include "agent/channel/hub_url.hpp"
#include "agent/channel/identity_store.hpp"
#include "agent/channel/systemd_notifier.hpp"
#include "shared/fs/file_system.hpp"
#include "shared/pki/asn1_time.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace phoenix::agent {

struct RunnerOptions {
  AgentConfig config;
  BackoffPolicy backoff;
  std::chrono::milliseconds state_interval{30'000};
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds renewal_retry{60'000};  // after a refused/failed renewal
  std::size_t message_max = 1024 * 1024;
};

class ChannelConnection;
class RotationHandler;
class SwarmHandler;

class AgentRunner {
 public:
  AgentRunner(boost::asio::io_context& ioc, fs::FileSystem& fs, RunnerOptions options);
  ~AgentRunner();

  // Repairs a half-done identity swap, loads identity and hub.json, starts the loop.
  // Errors: "not_enrolled" and the store's; the caller prints them and exits non-zero.
  Result<void> start();
  // Closes the channel (close frame 1000) and ends the loop; the io_context then runs out.
  void stop();

 private:
  boost::asio::awaitable<void> main_loop();
  boost::asio::awaitable<void> watchdog_loop(std::chrono::microseconds interval);
  // One connection, from connect to close. Returns how long it was up (0 if never).
  boost::asio::awaitable<std::chrono::steady_clock::duration> session();
  nlohmann::json collect_state();
  void schedule_renewal(const std::string& cert_pem);
  bool renewal_due() const;
  // Handles one text message from the hub; may ask the connection to close.
  void handle_message(ChannelConnection& connection, std::string_view text);
  void handle_renewal_answer(ChannelConnection& connection, bool is_result, const nlohmann::json& body);
  std::string next_id();

  boost::asio::io_context& ioc_;
  fs::FileSystem& fs_;
  RunnerOptions options_;
  IdentityStore store_;
  HubFile hub_;
  HubAddress address_;
  IdentityFiles identity_;
  Backoff backoff_;
  UniformRandom random_;
  SystemdNotifier notifier_;
  boost::asio::steady_timer wait_timer_;
  boost::asio::steady_timer watchdog_timer_;
  std::shared_ptr<ChannelConnection> connection_;
  std::unique_ptr<RotationHandler> rotations_;  // docker-tls rotations commanded by the hub
  std::unique_ptr<SwarmHandler> swarm_;         // swarm membership commanded by the hub
  bool stopping_ = false;
  bool ready_sent_ = false;
  std::string renewal_serial_;                 // the identity serial renewal_at_ belongs to
  pki::TimePoint renewal_at_{};
  std::optional<std::string> renewal_request_; // id of the sign_request in flight
  std::optional<std::string> renewal_key_pem_; // its fresh key, kept until the answer
  std::chrono::steady_clock::time_point renewal_not_before_{};  // retry spacing
  // A hub issuing identities shorter than its own back-dating would make every fresh
  // identity due at once: successive renewals are spaced by renewal_retry at least.
  std::optional<std::chrono::steady_clock::time_point> last_renewal_;
  std::uint64_t id_counter_ = 0;
};

}  // namespace phoenix::agent
