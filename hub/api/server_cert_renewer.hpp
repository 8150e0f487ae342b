#pragma once
// Keeps the agent endpoint's server cert renewed while the hub runs. A timer wakes when the
// renewal window opens (at most every few hours, cert_expiry.hpp's next_renewal_check); the
// check and the renewal (file reads, a signature, two atomic writes) run on the blocking pool,
// and a new pair is installed for new handshakes only: live agent channels are not dropped.
#include "hub/admin/server_cert_renewal.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>

namespace phoenix::hub::api {

class ServerCertRenewer : public std::enable_shared_from_this<ServerCertRenewer> {
 public:
  // `check`: renew_server_cert_if_due on the hub's files. `install`: called with a renewed
  // state (the endpoint's new TLS context, the expiry report). `run_blocking`: off the io
  // threads. `executor`: a strand for the timer.
  using Check = std::function<Result<ServerCertState>()>;
  using Install = std::function<void(const ServerCertState&)>;
  ServerCertRenewer(boost::asio::any_io_executor executor, std::function<void(std::function<void()>)> run_blocking,
                    Check check, Install install);

  // First check at `first_due` (from the check serve made on start).
  void start(pki::TimePoint first_due);
  void stop();  // any thread; a check already running finishes, no new one starts

 private:
  void schedule(pki::TimePoint due);
  void run_check();

  boost::asio::steady_timer timer_;
  std::function<void(std::function<void()>)> run_blocking_;
  Check check_;
  Install install_;
  bool stopped_ = false;  // on the timer's strand
};

}  // namespace phoenix::hub::api
