#include "hub/api/operator_identity_keeper.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

namespace phoenix::hub::api {

OperatorIdentityKeeper::OperatorIdentityKeeper(boost::asio::io_context& ioc, boost::asio::thread_pool& blocking,
                                               std::shared_ptr<OperatorIdentity> identity,
                                               std::chrono::milliseconds interval)
    : timer_(ioc), blocking_(blocking), identity_(std::move(identity)), interval_(interval) {}

void OperatorIdentityKeeper::check() {
  auto renewed = identity_->refresh(std::chrono::system_clock::now());
  if (!renewed) {
    log::warning("serve", "cannot renew the operators' docker identity in " + identity_->current_dir() + ": " +
                              renewed.error().message + " (retried in a few minutes)");
  } else if (*renewed) {
    log::notice("serve", "operators' docker identity renewed (" + **renewed + "): " + identity_->current_dir());
  }
}

void OperatorIdentityKeeper::start() {
  check();
  arm();
}

void OperatorIdentityKeeper::stop() {
  stopped_ = true;
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
}

void OperatorIdentityKeeper::arm() {
  if (stopped_) return;
  timer_.expires_after(interval_);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    boost::asio::post(self->blocking_, [self] {
      self->check();
      boost::asio::post(self->timer_.get_executor(), [self] { self->arm(); });
    });
  });
}

}  // namespace phoenix::hub::api
