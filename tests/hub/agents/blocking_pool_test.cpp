#include "hub/agents/blocking_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

namespace phoenix::hub {
namespace {

using namespace std::chrono_literals;

TEST(BlockingPool, RunsWorkOffTheCallersThread) {
  BlockingPool pool(1, 8, nullptr);
  std::promise<std::thread::id> ran;
  ASSERT_TRUE(pool.post([&] { ran.set_value(std::this_thread::get_id()); }));
  auto future = ran.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST(BlockingPool, AFullQueueRefusesAndCounts) {
  auto counters = std::make_shared<limits::LimitCounters>();
  BlockingPool pool(1, 2, counters);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.post([&, gate] { started.set_value(); gate.wait(); }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  EXPECT_TRUE(pool.post([] {}));
  EXPECT_TRUE(pool.post([] {}));
  EXPECT_FALSE(pool.post([] {}));
  EXPECT_EQ(counters->blocking_refused.load(), 1u);
  EXPECT_EQ(counters->blocking_queued.load(), 3) << "two queued and one running";
  release.set_value();
  pool.stop();
  EXPECT_EQ(counters->blocking_queued.load(), 0);
}

TEST(BlockingPool, TheLatestWorkUnderAKeyReplacesTheQueuedOne) {
  BlockingPool pool(1, 2, nullptr);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool.post([&, gate] { started.set_value(); gate.wait(); }));
  started.get_future().wait();
  std::atomic<int> last{0};
  std::atomic<int> runs{0};
  for (int i = 1; i <= 100; ++i) {
    ASSERT_TRUE(pool.post_latest("vm1", [&, i] { last = i; ++runs; })) << "a key already queued takes no slot";
  }
  EXPECT_EQ(pool.queued(), 1u);
  release.set_value();
  pool.stop();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(last.load(), 100);
}

TEST(BlockingPool, StopRunsWhatIsQueuedThenRefuses) {
  std::atomic<int> runs{0};
  BlockingPool pool(2, 100, nullptr);
  for (int i = 0; i < 50; ++i) pool.post([&] { ++runs; });
  pool.stop();
  EXPECT_EQ(runs.load(), 50);
  EXPECT_FALSE(pool.post([] {}));
}

}  // namespace
}  // namespace phoenix::hub
