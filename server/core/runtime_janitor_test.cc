#include "core/runtime_janitor.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"
#include "core/inert_runtime_for_test.h"

namespace codex_manager {
namespace {

TEST(RuntimeJanitorTest, AHungRuntimeDelaysNoOther) {
  RuntimeJanitor janitor;
  absl::Notification release_hung;
  absl::Notification quick_stopped;
  std::atomic<bool> forced{false};
  janitor.Stop(std::make_unique<InertRuntime>(
                   [&](bool) { release_hung.WaitForNotification(); }),
               /*force=*/false);
  janitor.Stop(std::make_unique<InertRuntime>([&](bool force) {
                 forced = force;
                 quick_stopped.Notify();
               }),
               /*force=*/true);
  // The quick one stops while the hung one still holds its thread.
  EXPECT_TRUE(quick_stopped.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(forced);
  release_hung.Notify();
  janitor.WaitIdle();
}

TEST(RuntimeJanitorTest, ARuntimeQueuedWhileAnotherHangsStopsAtOnce) {
  RuntimeJanitor janitor;
  absl::Notification hung_stopping;
  absl::Notification release_hung;
  absl::Notification late_stopped;
  janitor.Stop(std::make_unique<InertRuntime>([&](bool) {
                 hung_stopping.Notify();
                 release_hung.WaitForNotification();
               }),
               /*force=*/false);
  ASSERT_TRUE(hung_stopping.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // Queued only once the hung one is already being stopped.
  janitor.Stop(
      std::make_unique<InertRuntime>([&](bool) { late_stopped.Notify(); }),
      /*force=*/true);
  EXPECT_TRUE(late_stopped.WaitForNotificationWithTimeout(absl::Seconds(10)));
  release_hung.Notify();
  janitor.WaitIdle();
}

TEST(RuntimeJanitorTest, WaitIdleReturnsOnceEveryRuntimeIsGone) {
  std::atomic<int> destroyed{0};
  struct Counted : InertRuntime {
    explicit Counted(std::atomic<int>* n) : n(n) {}
    ~Counted() override { ++*n; }
    std::atomic<int>* n;
  };
  RuntimeJanitor janitor;
  for (int i = 0; i < 5; ++i) {
    janitor.Stop(std::make_unique<Counted>(&destroyed), false);
  }
  janitor.WaitIdle();
  EXPECT_EQ(destroyed, 5);
}

TEST(RuntimeJanitorTest, DestroyingItStopsWhatIsStillQueued) {
  std::atomic<int> stopped{0};
  {
    RuntimeJanitor janitor;
    for (int i = 0; i < 3; ++i) {
      janitor.Stop(std::make_unique<InertRuntime>([&](bool) { ++stopped; }),
                   false);
    }
  }
  EXPECT_EQ(stopped, 3);
}

}  // namespace
}  // namespace codex_manager
