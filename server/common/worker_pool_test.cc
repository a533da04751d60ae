#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "absl/synchronization/notification.h"
#include "common/thread_name.h"

namespace codex_manager {
namespace {

TEST(WorkerPoolTest, ATaskThatBlocksHoldsOnlyItsOwnThread) {
  WorkerPool pool(2, "cm-test-pool");
  absl::Notification release, second_ran;
  pool.Run([&] { release.WaitForNotification(); });
  pool.Run([&] { second_ran.Notify(); });
  EXPECT_TRUE(second_ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  release.Notify();
}

TEST(WorkerPoolTest, ItsThreadsCarryItsName) {
  WorkerPool pool(1, "cm-test-pool");
  std::string name;
  absl::Notification ran;
  pool.Run([&] {
    name = ThreadName();
    ran.Notify();
  });
  ASSERT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(name, "cm-test-pool");
}

TEST(WorkerPoolTest, OneThreadRunsTasksInTheOrderQueued) {
  std::vector<int> order;
  {
    WorkerPool pool(1, "cm-test-pool");
    for (int i = 0; i < 100; ++i) pool.Run([&order, i] { order.push_back(i); });
  }  // the destructor runs what is queued
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
}

TEST(WorkerPoolTest, DestroyingItRunsEveryQueuedTask) {
  std::atomic<int> ran{0};
  absl::Notification release;
  {
    WorkerPool pool(3, "cm-test-pool");
    for (int i = 0; i < 3; ++i) {
      pool.Run([&] { release.WaitForNotification(); ++ran; });
    }
    for (int i = 0; i < 50; ++i) pool.Run([&] { ++ran; });
    EXPECT_GT(pool.Queued(), 0u);
    release.Notify();
  }
  EXPECT_EQ(ran, 53);
}

}  // namespace
}  // namespace codex_manager
