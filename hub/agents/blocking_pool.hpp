#pragma once
// Threads for the agent endpoint's blocking work: store writes (SQLite fsyncs each), ECDSA
// signing and enrollment. On the io threads they would stall every agent and the API behind
// one busy agent; here they wait in a bounded queue. A full queue refuses new work (the caller
// answers hub_busy / 503) instead of growing without bound. An agent's state write replaces its
// queued, not yet started one (only the latest state matters), so a chatty agent holds one slot.
#include "hub/limits/limit_counters.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace phoenix::hub {

class BlockingPool {
 public:
  BlockingPool(std::size_t threads, std::size_t queue_max, std::shared_ptr<limits::LimitCounters> counters);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // False (and counted) when the queue is full or the pool stopped: the work will not run.
  bool post(std::function<void()> work);
  // As post(), but replaces work queued under the same `key` that has not started yet.
  bool post_latest(const std::string& key, std::function<void()> work);
  // Runs what is queued, then joins the threads. Later posts are refused.
  void stop();

  std::size_t queued() const;

 private:
  struct Job {
    std::string key;  // empty: not coalesced
    std::function<void()> work;
  };
  bool admit_locked();
  void run();
  void update_gauge_locked();

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::map<std::string, std::function<void()>> latest_;  // the work of queued keyed jobs
  std::size_t queue_max_;
  std::size_t running_ = 0;
  bool stopping_ = false;
  std::shared_ptr<limits::LimitCounters> counters_;
  std::vector<std::thread> threads_;
};

}  // namespace phoenix::hub
