#include "hub/api/server_cert_renewer.hpp"

#include "shared/core/log.hpp"

#include <boost/asio/post.hpp>

namespace phoenix::hub::api {
namespace {
constexpr const char* kLog = "hub-cert";
// After a failed check or renewal (a full disk, an unreadable file): try again this soon.
constexpr auto kRetryAfterFailure = std::chrono::minutes(10);
}  // namespace

ServerCertRenewer::ServerCertRenewer(boost::asio::any_io_executor executor,
                                     std::function<void(std::function<void()>)> run_blocking, Check check,
                                     Install install)
    : timer_(std::move(executor)), run_blocking_(std::move(run_blocking)), check_(std::move(check)),
      install_(std::move(install)) {}

void ServerCertRenewer::start(pki::TimePoint first_due) {
  boost::asio::post(timer_.get_executor(), [self = shared_from_this(), first_due] { self->schedule(first_due); });
}

void ServerCertRenewer::stop() {
  boost::asio::post(timer_.get_executor(), [self = shared_from_this()] {
    self->stopped_ = true;
    self->timer_.cancel();
  });
}

void ServerCertRenewer::schedule(pki::TimePoint due) {
  if (stopped_) return;
  timer_.expires_after(next_renewal_check(due, std::chrono::system_clock::now()));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    self->run_blocking_([self] { self->run_check(); });
  });
}

void ServerCertRenewer::run_check() {
  auto state = check_();
  pki::TimePoint next;
  if (!state) {
    log::error(kLog, "checking or renewing the agent endpoint's server cert failed: " + state.error().to_string() +
                         "; retrying in " + std::to_string(kRetryAfterFailure.count()) + " min");
    next = std::chrono::system_clock::now() + kRetryAfterFailure;
  } else {
    if (state->renewed) {
      log::notice(kLog, "renewed the agent endpoint's server cert (" + state->reason + "): serial " +
                            state->serial_hex + " valid until " + pki::format_utc(state->not_after) +
                            "; new agent connections get it, live ones stay");
      install_(*state);
    }
    next = state->next_check;
  }
  boost::asio::post(timer_.get_executor(), [self = shared_from_this(), next] { self->schedule(next); });
}

}  // namespace phoenix::hub::api
