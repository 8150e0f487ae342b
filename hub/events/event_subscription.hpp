#pragma once
// One listener of the hub's event stream (GET /events): a bounded queue of server-sent-event text
// that the HTTP connection drains as fast as it can write. A listener that falls behind by more
// than `max_queued` bytes is ended rather than allowed to grow the hub's memory; its page
// reconnects and reloads everything, so nothing is lost but a few redundant events.
#include "hub/http/http_types.hpp"

#include <cstddef>
#include <mutex>
#include <string>

namespace phoenix::hub {

class EventSubscription : public http::ResponseStream {
 public:
  explicit EventSubscription(std::size_t max_queued);

  // Queues `text` (whole SSE records); false when the subscription has ended.
  bool push(const std::string& text);
  // Ends the stream after what is queued (hub shutdown).
  void finish();
  bool ended() const;
  bool overflowed() const;

  void next(Ready ready) override;
  void cancel() override;

 private:
  // Hands the queue (or the end) to a waiting reader; called with the lock held, returns what to
  // call once it is released.
  std::function<void()> take_ready_locked();

  const std::size_t max_queued_;
  mutable std::mutex mutex_;
  std::string queued_;
  Ready ready_;
  bool finished_ = false;   // no more text will come; the reader gets nullopt once drained
  bool cancelled_ = false;  // the connection is gone: drop everything
  bool overflowed_ = false;
};

}  // namespace phoenix::hub
