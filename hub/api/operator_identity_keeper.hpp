#pragma once
// Keeps the operators' docker client identity (hub/agents/operator_identity.hpp) fresh while
// the hub serves: checked at start and every `interval`, renewed on the blocking pool (key
// generation and fsyncs never run on the io threads).
#include "hub/agents/operator_identity.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace phoenix::hub::api {

class OperatorIdentityKeeper : public std::enable_shared_from_this<OperatorIdentityKeeper> {
 public:
  OperatorIdentityKeeper(boost::asio::io_context& ioc, boost::asio::thread_pool& blocking,
                         std::shared_ptr<OperatorIdentity> identity,
                         std::chrono::milliseconds interval = std::chrono::minutes{10});
  void start();  // checks now (synchronously: serve starts with a valid identity), then arms
  void stop();   // any thread

 private:
  void check();
  void arm();
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool& blocking_;
  std::shared_ptr<OperatorIdentity> identity_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stopped_{false};
};

}  // namespace phoenix::hub::api
