#include "hub/agents/blocking_pool.hpp"

#include "shared/core/safe_text.hpp"

#include "shared/core/log.hpp"

#include <exception>

namespace phoenix::hub {

BlockingPool::BlockingPool(std::size_t threads, std::size_t queue_max,
                           std::shared_ptr<limits::LimitCounters> counters)
    : queue_max_(queue_max), counters_(std::move(counters)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

BlockingPool::~BlockingPool() {
  stop();
}

void BlockingPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (!thread.joinable()) continue;
    // The last owner may let go on a worker (work holding a session that holds the endpoint's
    // state): that thread cannot join itself, and it ends once its job returns.
    if (thread.get_id() == std::this_thread::get_id()) thread.detach();
    else thread.join();
  }
}

bool BlockingPool::admit_locked() {
  if (!stopping_ && queue_.size() < queue_max_) return true;
  if (counters_) counters_->blocking_refused.fetch_add(1);
  return false;
}

bool BlockingPool::post(std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (!admit_locked()) return false;
    queue_.push_back(Job{"", std::move(work)});
    update_gauge_locked();
  }
  wake_.notify_one();
  return true;
}

bool BlockingPool::post_latest(const std::string& key, std::function<void()> work) {
  {
    std::lock_guard lock(mutex_);
    if (const auto queued = latest_.find(key); queued != latest_.end() && !stopping_) {
      queued->second = std::move(work);
      return true;
    }
    if (!admit_locked()) return false;
    queue_.push_back(Job{key, {}});
    latest_[key] = std::move(work);
    update_gauge_locked();
  }
  wake_.notify_one();
  return true;
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void BlockingPool::update_gauge_locked() {
  if (counters_) counters_->blocking_queued = static_cast<std::int64_t>(queue_.size() + running_);
}

void BlockingPool::run() {
  for (;;) {
    std::function<void()> work;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      auto job = std::move(queue_.front());
      queue_.pop_front();
      if (job.key.empty()) {
        work = std::move(job.work);
      } else {
        auto it = latest_.find(job.key);
        work = std::move(it->second);
        latest_.erase(it);
      }
      ++running_;
      update_gauge_locked();
    }
    try {
      work();
    } catch (const std::exception& e) {
      log::error("agent-endpoint", "blocking work failed: " + printable(e.what(), 512));
    }
    work = nullptr;  // captured state goes before the next wait
    std::lock_guard lock(mutex_);
    --running_;
    update_gauge_locked();
  }
}

}  // namespace phoenix::hub
