#include "core/event_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

// Collects what a subscription delivers, asking for more after each batch.
class Collector {
 public:
  void Attach(std::shared_ptr<EventLog::Subscription> sub) {
    absl::MutexLock lock(&mu_);
    sub_ = std::move(sub);
  }
  EventLog::DeliverFn Fn() {
    return [this](std::vector<EventPtr> batch, EventLog::End end) {
      absl::MutexLock lock(&mu_);
      ++batches_;
      for (EventPtr& e : batch) events_.push_back(e->event());
      if (end != EventLog::End::kNone) {
        ended_ = true;
        end_ = end;
      }
      // Asking again from inside a delivery is allowed.
      if (end == EventLog::End::kNone && sub_ && !paused_) sub_->Request();
    };
  }
  // Waits until `n` events arrived (or 10 s passed).
  bool WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return events_.size() >= n || ended_;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10)) &&
           events_.size() >= n;
  }
  bool WaitEnded() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&ended_), absl::Seconds(10));
  }
  std::vector<Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  EventLog::End end() {
    absl::MutexLock lock(&mu_);
    return end_;
  }
  int batches() {
    absl::MutexLock lock(&mu_);
    return batches_;
  }
  void Pause() {
    absl::MutexLock lock(&mu_);
    paused_ = true;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<EventLog::Subscription> sub_;
  std::vector<Event> events_;
  int batches_ = 0;
  bool ended_ = false;
  EventLog::End end_ = EventLog::End::kNone;
  bool paused_ = false;
};

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = *SqliteStore::Open(":memory:"); }
  std::unique_ptr<EventLog> NewLog(size_t ring = 8192) {
    EventLog::Options options;
    options.ring_capacity = ring;
    options.max_delivery_batch = 32;
    auto log = std::make_unique<EventLog>(store_.get(), options);
    EXPECT_TRUE(log->Start().ok());
    return log;
  }
  static nlohmann::json Payload(int i) { return {{"i", i}}; }
  // A log with a single catch-up turn, held (for a second) by a replay
  // whose client never asks again (`replay`, `replay_sub`): a subscriber
  // counted as behind waits for it. Its events: one of each of `quiet`,
  // in order, then 100 of ses_b.
  std::unique_ptr<EventLog> LogWithItsOnlyTurnHeld(
      const std::vector<std::string>& quiet, Collector* replay,
      std::shared_ptr<EventLog::Subscription>* replay_sub) {
    EventLog::Options options;
    options.max_delivery_batch = 32;
    options.max_catch_up_streams = 1;
    auto log = std::make_unique<EventLog>(store_.get(), options);
    EXPECT_TRUE(log->Start().ok());
    for (const std::string& session : quiet) {
      log->Append(session, EventType::kRaw, "", Payload(0));
    }
    for (int i = 1; i <= 100; ++i) {
      log->Append("ses_b", EventType::kRaw, "", Payload(i));
    }
    EXPECT_TRUE(log->Flush());
    *replay_sub = log->Subscribe({"", 0, log->CommittedHead()}, replay->Fn());
    replay->Attach(*replay_sub);
    replay->Pause();
    (*replay_sub)->Request();
    EXPECT_TRUE(replay->WaitFor(1));
    return log;
  }
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(EventLogTest, AssignsGlobalIdsAndGaplessPerSessionSeqs) {
  auto log = NewLog();
  Event a1 = log->Append("ses_a", EventType::kRaw, "", Payload(1));
  Event b1 = log->Append("ses_b", EventType::kRaw, "", Payload(2));
  Event a2 = log->Append("ses_a", EventType::kRaw, "", Payload(3));
  EXPECT_EQ(a1.event_id, 1);
  EXPECT_EQ(b1.event_id, 2);
  EXPECT_EQ(a2.event_id, 3);
  EXPECT_EQ(a1.session_seq, 1);
  EXPECT_EQ(b1.session_seq, 1);
  EXPECT_EQ(a2.session_seq, 2);
  log->Flush();
  EXPECT_EQ(log->CommittedHead(), 3);
  EXPECT_EQ(*store_->LastEventId(), 3);
}

TEST_F(EventLogTest, ABurstIsCommittedInBatches) {
  // A database file, and a second connection (as the sqlite3 shell would
  // be) holding its write lock while the burst is appended: the writer's
  // first commit waits for it (its busy handler tries for about 5 s), so
  // what comes meanwhile queues and is committed together once the lock
  // goes. Without the lock the count would depend on how fast the writer
  // keeps up (560-2,622 commits were seen under load and ASan).
  const std::string path =
      ::testing::TempDir() + "/burst-" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  store_ = *SqliteStore::Open(path);
  auto log = NewLog();
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const int64_t before = store_->Stats().commits;
  constexpr int kBurst = 5000;
  for (int i = 0; i < kBurst; ++i) {
    log->Append("ses_a", EventType::kAgentMessageDelta, "t", Payload(i));
  }
  EXPECT_EQ(sqlite3_exec(holder, "COMMIT", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(holder);
  ASSERT_TRUE(log->Flush(absl::Seconds(30)));
  EXPECT_EQ(store_->Stats().events_appended, kBurst);
  // The first change the writer took, then the rest in batches of at
  // most max_commit_batch (4,096) events: 1 + 2.
  EXPECT_LE(store_->Stats().commits - before, 3);
  EXPECT_EQ(log->CommittedHead(), kBurst);
}

TEST_F(EventLogTest, ContinuesIdsAndSeqsAfterRestart) {
  {
    auto log = NewLog();
    log->Append("ses_a", EventType::kRaw, "", Payload(1));
    log->Append("ses_a", EventType::kRaw, "", Payload(2));
  }  // destructor commits what is queued
  auto log = NewLog();
  Event e = log->Append("ses_a", EventType::kRaw, "", Payload(3));
  EXPECT_EQ(e.event_id, 3);
  EXPECT_EQ(e.session_seq, 3);
}

TEST_F(EventLogTest, SubscriberGetsEveryEventOnceInOrderFromStoreThenRing) {
  auto log = NewLog(/*ring=*/16);  // most of the history is only in the store
  for (int i = 1; i <= 100; ++i) {
    log->Append(i % 3 ? "ses_a" : "ses_b", EventType::kRaw, "", Payload(i));
  }
  log->Flush();
  Collector all;
  auto sub = log->Subscribe({"", 0, 0}, all.Fn());
  all.Attach(sub);
  sub->Request();
  // Live events appended while catching up.
  for (int i = 101; i <= 150; ++i) {
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(all.WaitFor(150));
  std::vector<Event> got = all.events();
  ASSERT_EQ(got.size(), 150u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].event_id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(got[i].payload["i"], static_cast<int>(i + 1));
  }
  sub->Cancel();
}

TEST_F(EventLogTest, SessionFilterAndCursorGiveExactlyTheEventsAfter) {
  auto log = NewLog(/*ring=*/8);
  for (int i = 1; i <= 60; ++i) {
    log->Append(i % 2 ? "ses_a" : "ses_b", EventType::kRaw, "", Payload(i));
  }
  log->Flush();
  Collector b;
  // After event 20: ses_b's events 22, 24, ..., 60.
  auto sub = log->Subscribe({"ses_b", 20, 0}, b.Fn());
  b.Attach(sub);
  sub->Request();
  ASSERT_TRUE(b.WaitFor(20));
  std::vector<Event> got = b.events();
  ASSERT_EQ(got.size(), 20u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].session_id, "ses_b");
    EXPECT_EQ(got[i].event_id, static_cast<int64_t>(22 + 2 * i));
    EXPECT_EQ(got[i].session_seq, static_cast<int64_t>(11 + i));
  }
  sub->Cancel();
}

TEST_F(EventLogTest, ReplayEndsAtTheHeadItWasGiven) {
  auto log = NewLog();
  for (int i = 1; i <= 10; ++i)
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  log->Flush();
  Collector replay;
  auto sub = log->Subscribe({"ses_a", 4, log->CommittedHead()}, replay.Fn());
  replay.Attach(sub);
  sub->Request();
  log->Append("ses_a", EventType::kRaw, "", Payload(11));  // after the replay
  ASSERT_TRUE(replay.WaitEnded());
  std::vector<Event> got = replay.events();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got.front().event_id, 5);
  EXPECT_EQ(got.back().event_id, 10);
  sub->Cancel();
}

TEST_F(EventLogTest, AReplaysLastBatchCarriesItsEnd) {
  auto log = NewLog(/*ring=*/16);  // holds events 55-70
  for (int i = 1; i <= 70; ++i)
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  ASSERT_TRUE(log->Flush(absl::Seconds(5)));
  Collector from_store, from_ring;
  auto store_sub = log->Subscribe({"", 0, 40}, from_store.Fn());
  auto ring_sub = log->Subscribe({"", 60, 70}, from_ring.Fn());
  from_store.Attach(store_sub);
  from_ring.Attach(ring_sub);
  store_sub->Request();
  ring_sub->Request();
  ASSERT_TRUE(from_store.WaitEnded());
  ASSERT_TRUE(from_ring.WaitEnded());
  // 32 events, then 8 with the end: no empty batch after them, so a
  // stream can write its last message together with its status.
  EXPECT_EQ(from_store.events().size(), 40u);
  EXPECT_EQ(from_store.batches(), 2);
  EXPECT_EQ(from_store.end(), EventLog::End::kCaughtUp);
  EXPECT_EQ(from_ring.events().size(), 10u);
  EXPECT_EQ(from_ring.batches(), 1);
  EXPECT_EQ(from_ring.end(), EventLog::End::kCaughtUp);
  store_sub->Cancel();
  ring_sub->Cancel();
}

TEST_F(EventLogTest, DrainDeliversEverythingCommittedThenEndsEachSubscriber) {
  auto log = NewLog(/*ring=*/16);  // the behind reader drains from the store
  for (int i = 1; i <= 100; ++i)
    log->Append(i % 2 ? "ses_a" : "ses_b", EventType::kRaw, "", Payload(i));
  ASSERT_TRUE(log->Flush(absl::Seconds(5)));
  Collector live, behind, session_b, replay;
  auto live_sub = log->Subscribe({"", 100, 0}, live.Fn());
  auto behind_sub = log->Subscribe({"", 0, 0}, behind.Fn());
  auto b_sub = log->Subscribe({"ses_b", 0, 0}, session_b.Fn());
  auto replay_sub = log->Subscribe({"", 0, 40}, replay.Fn());  // ends first
  live.Attach(live_sub);
  behind.Attach(behind_sub);
  session_b.Attach(b_sub);
  replay.Attach(replay_sub);
  for (auto* sub : {&live_sub, &behind_sub, &b_sub, &replay_sub}) {
    (*sub)->Request();
  }
  ASSERT_TRUE(replay.WaitEnded());
  log->Append("ses_a", EventType::kRaw, "", Payload(101));
  ASSERT_TRUE(log->Flush(absl::Seconds(5)));
  log->Drain();
  log->Append("ses_b", EventType::kRaw, "", Payload(102));  // after: not sent
  for (Collector* c : {&live, &behind, &session_b}) {
    ASSERT_TRUE(c->WaitEnded());
    EXPECT_EQ(c->end(), EventLog::End::kDrained);
  }
  EXPECT_EQ(replay.end(), EventLog::End::kCaughtUp);
  EXPECT_EQ(replay.events().size(), 40u);
  ASSERT_EQ(live.events().size(), 1u);
  EXPECT_EQ(live.events()[0].event_id, 101);
  ASSERT_EQ(behind.events().size(), 101u);
  for (size_t i = 0; i < 101; ++i) {
    EXPECT_EQ(behind.events()[i].event_id, static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(session_b.events().size(), 50u);
  // A subscription made while draining ends at once, after what it missed.
  Collector late;
  auto late_sub = log->Subscribe({"", 99, 0}, late.Fn());
  late.Attach(late_sub);
  late_sub->Request();
  ASSERT_TRUE(late.WaitEnded());
  EXPECT_EQ(late.end(), EventLog::End::kDrained);
  EXPECT_EQ(late.events().size(), 2u);
  for (auto* sub : {&live_sub, &behind_sub, &b_sub, &replay_sub, &late_sub}) {
    (*sub)->Cancel();
  }
}

TEST_F(EventLogTest, AReplayToTheAssignedHeadWaitsForQueuedEvents) {
  auto log = NewLog();
  for (int i = 1; i <= 500; ++i)
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  // No Flush: some of these may still be queued for commit.
  const int64_t until = log->AssignedHead();
  EXPECT_EQ(until, 500);
  Collector replay;
  auto sub = log->Subscribe({"", 0, until}, replay.Fn());
  replay.Attach(sub);
  sub->Request();
  ASSERT_TRUE(replay.WaitEnded());
  EXPECT_EQ(replay.events().size(), 500u);
  sub->Cancel();
}

TEST_F(EventLogTest, ASlowSubscriberBlocksNeitherAppendNorOthers) {
  auto log = NewLog(/*ring=*/64);
  Collector slow, fast;
  auto slow_sub = log->Subscribe({"", 0, 0}, slow.Fn());
  slow.Attach(slow_sub);
  slow.Pause();  // takes one batch, then never asks again
  slow_sub->Request();
  auto fast_sub = log->Subscribe({"", 0, 0}, fast.Fn());
  fast.Attach(fast_sub);
  fast_sub->Request();
  const absl::Time start = absl::Now();
  for (int i = 1; i <= 3000; ++i)
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  ASSERT_TRUE(fast.WaitFor(3000));
  EXPECT_EQ(fast.events().back().event_id, 3000);
  EXPECT_LE(slow.events().size(), 32u);
  // The slow one catches up later, from the store.
  slow_sub->Cancel();
  Collector late;
  auto late_sub = log->Subscribe({"", 0, 0}, late.Fn());
  late.Attach(late_sub);
  late_sub->Request();
  ASSERT_TRUE(late.WaitFor(3000));
  late_sub->Cancel();
  fast_sub->Cancel();
}

TEST_F(EventLogTest, ReplaysTakeTurnsAndNeverHoldBackTheLiveOnes) {
  EventLog::Options options;
  options.max_delivery_batch = 32;
  options.max_catch_up_streams = 2;
  EventLog log(store_.get(), options);
  ASSERT_TRUE(log.Start().ok());
  for (int i = 1; i <= 1000; ++i) {
    log.Append("ses_a", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(log.Flush());
  // Ten replays from the start whose clients never ask again: each holds
  // its batch, as a stream busy writing it does.
  std::vector<std::unique_ptr<Collector>> replays;
  std::vector<std::shared_ptr<EventLog::Subscription>> subs;
  for (int i = 0; i < 10; ++i) {
    replays.push_back(std::make_unique<Collector>());
    subs.push_back(log.Subscribe({"", 0, 1000}, replays.back()->Fn()));
    replays.back()->Attach(subs.back());
    replays.back()->Pause();
    subs.back()->Request();
  }
  auto served = [&] {
    int n = 0;
    for (auto& r : replays) n += r->events().empty() ? 0 : 1;
    return n;
  };
  // One following live, from the head.
  Collector live;
  auto live_sub = log.Subscribe({"", 1000, 0}, live.Fn());
  live.Attach(live_sub);
  live_sub->Request();
  log.Append("ses_a", EventType::kRaw, "", Payload(1001));
  ASSERT_TRUE(live.WaitFor(1));
  EXPECT_EQ(live.events()[0].event_id, 1001);
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(served(), 2) << "two turns, the others wait";
  // A client that stops reading loses its turn after a second.
  absl::SleepFor(absl::Seconds(2));
  EXPECT_GE(served(), 4);
  for (auto& sub : subs) sub->Cancel();
  live_sub->Cancel();
}

TEST_F(EventLogTest, CatchUpTurnsGoInTheOrderAsked) {
  Collector held;
  std::shared_ptr<EventLog::Subscription> held_sub;
  auto log = LogWithItsOnlyTurnHeld({}, &held, &held_sub);
  // Three replays of the 100 events that ask again as soon as each batch
  // (32) is handed over, so each goes back to the end of the line: A, B,
  // C, A, B, C (then, 36 to go, again; with 4 to go they need no turn).
  absl::Mutex mu;
  std::vector<int> order;
  std::vector<std::shared_ptr<EventLog::Subscription>> subs(3);
  for (int i = 0; i < 3; ++i) {
    subs[i] = log->Subscribe(
        {"", 0, log->CommittedHead()},
        [&, i](std::vector<EventPtr>, EventLog::End end) {
          {
            absl::MutexLock lock(&mu);
            order.push_back(i);
          }
          if (end == EventLog::End::kNone) subs[i]->Request();
        });
  }
  // They ask while the only turn is held, in the order A, B, C.
  for (auto& sub : subs) sub->Request();
  {
    absl::MutexLock lock(&mu);
    auto six = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return order.size() >= 6;
    };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&six), absl::Seconds(10)));
    EXPECT_EQ(std::vector<int>(order.begin(), order.begin() + 6),
              std::vector<int>({0, 1, 2, 0, 1, 2}));
  }
  for (auto& sub : subs) sub->Cancel();
  held_sub->Cancel();
}

TEST_F(EventLogTest, AReplayWithinABatchOfItsEndNeedsNoTurn) {
  Collector held;
  std::shared_ptr<EventLog::Subscription> held_sub;
  auto log = LogWithItsOnlyTurnHeld({}, &held, &held_sub);
  const int64_t head = log->CommittedHead();
  // Two long replays wait for the only turn, held for a second...
  std::vector<std::unique_ptr<Collector>> long_replays;
  std::vector<std::shared_ptr<EventLog::Subscription>> subs;
  for (int i = 0; i < 2; ++i) {
    long_replays.push_back(std::make_unique<Collector>());
    subs.push_back(log->Subscribe({"", 0, head}, long_replays.back()->Fn()));
    long_replays.back()->Attach(subs.back());
    subs.back()->Request();
  }
  // ...and a client resuming 5 events before the head does not wait for it.
  Collector resume;
  auto resume_sub = log->Subscribe({"", head - 5, head}, resume.Fn());
  resume.Attach(resume_sub);
  resume_sub->Request();
  ASSERT_TRUE(resume.WaitEnded());
  EXPECT_EQ(resume.events().size(), 5u);
  for (auto& replay : long_replays) {
    EXPECT_TRUE(replay->events().empty()) << "served before the turn came back";
  }
  for (auto& sub : subs) sub->Cancel();
  resume_sub->Cancel();
  held_sub->Cancel();
}

TEST_F(EventLogTest, ALiveEventWaitsForAtMostOneCatchUpDelivery) {
  EventLog::Options options;
  options.max_delivery_batch = 32;
  options.max_catch_up_streams = 1000;  // every replay served each round
  EventLog log(store_.get(), options);
  ASSERT_TRUE(log.Start().ok());
  for (int i = 1; i <= 1000; ++i) {
    log.Append("ses_a", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(log.Flush());
  // 50 replays of the ring whose deliveries take a millisecond each (a
  // stream encoding and writing its batch), asking again after each.
  std::atomic<bool> live_got{false};
  std::atomic<int> deliveries{0}, after_commit{0};
  struct Replay {
    std::shared_ptr<EventLog::Subscription> sub;
  };
  std::vector<std::unique_ptr<Replay>> replays;
  for (int i = 0; i < 50; ++i) {
    auto replay = std::make_unique<Replay>();
    Replay* self = replay.get();
    replay->sub = log.Subscribe(
        {"", 0, 1000}, [&, self](std::vector<EventPtr>, EventLog::End end) {
          if (!live_got && log.CommittedHead() > 1000) ++after_commit;
          ++deliveries;
          absl::SleepFor(absl::Milliseconds(1));
          if (end == EventLog::End::kNone) self->sub->Request();
        });
    replays.push_back(std::move(replay));
  }
  // Marked on the dispatcher's thread as the live batch is handed over,
  // so no later replay delivery counts.
  Collector live;
  auto live_sub = log.Subscribe(
      {"", 1000, 0},
      [&, fn = live.Fn()](std::vector<EventPtr> batch, EventLog::End end) {
        if (!batch.empty()) live_got = true;
        fn(std::move(batch), end);
      });
  live.Attach(live_sub);
  live_sub->Request();
  for (auto& replay : replays) replay->sub->Request();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (deliveries < 100 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  log.Append("ses_a", EventType::kRaw, "", Payload(1001));
  ASSERT_TRUE(live.WaitFor(1));
  EXPECT_EQ(live.events()[0].event_id, 1001);
  // The commit ends the round: the live follower goes next, after the
  // delivery in progress (and at most one that began as it committed).
  EXPECT_LE(after_commit.load(), 1);
  EXPECT_LT(deliveries.load(), 50 * 32) << "the replays were still running";
  for (auto& replay : replays) replay->sub->Cancel();
  live_sub->Cancel();
}

TEST_F(EventLogTest, WhileATurnStreamsCatchUpIsPacedToItsRate) {
  EventLog::Options options;
  options.max_delivery_batch = 10;
  options.max_catch_up_streams = 1000;
  options.catch_up_events_per_second = 1000;
  EventLog log(store_.get(), options);
  ASSERT_TRUE(log.Start().ok());
  for (int i = 1; i <= 2000; ++i) {
    log.Append("ses_h", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(log.Flush());
  // With no turn streaming a replay goes as fast as it reads: 2,000
  // events, not the 2 s the rate would take. What it took does not count
  // against the turn below.
  Collector before;
  auto before_sub = log.Subscribe({"ses_h", 0, 2000}, before.Fn());
  before.Attach(before_sub);
  const absl::Time unpaced_start = absl::Now();
  before_sub->Request();
  ASSERT_TRUE(before.WaitEnded());
  EXPECT_EQ(before.events().size(), 2000u);
  EXPECT_LT(absl::Now() - unpaced_start, absl::Seconds(1));
  // A turn streams: its follower has had an event, and gets one every
  // 50 ms until `streaming` is cleared.
  Collector live;
  auto live_sub = log.Subscribe({"ses_t", 2000, 0, 0}, live.Fn());
  live.Attach(live_sub);
  live_sub->Request();
  log.Append("ses_t", EventType::kRaw, "", Payload(1));
  ASSERT_TRUE(live.WaitFor(1));
  std::atomic<bool> streaming{true};
  std::thread turn([&] {
    for (int i = 2; streaming; ++i) {
      log.Append("ses_t", EventType::kRaw, "", Payload(i));
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  // Four replays of the history, asking again at once after each batch.
  std::atomic<int64_t> replayed{0};
  std::vector<std::unique_ptr<Collector>> replays;
  std::vector<std::shared_ptr<EventLog::Subscription>> subs;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 4; ++i) {
    auto c = std::make_unique<Collector>();
    auto fn = c->Fn();
    subs.push_back(log.Subscribe(
        {"ses_h", 0, 2000},
        [&replayed, fn](std::vector<EventPtr> batch, EventLog::End end) {
          replayed += static_cast<int64_t>(batch.size());
          fn(std::move(batch), end);
        }));
    c->Attach(subs.back());
    replays.push_back(std::move(c));
  }
  for (auto& sub : subs) sub->Request();
  absl::SleepFor(absl::Milliseconds(700));
  // Each batch moves the next one on by its size / the rate: at most the
  // rate times the time gone, plus the first batch.
  const int64_t paced = replayed.load();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_LE(paced, static_cast<int64_t>(1000 * seconds) + 10);
  EXPECT_GE(paced, 100) << "catch-up must still progress";
  // The turn's follower was not paced: it has had every event so far.
  const int64_t committed_live = log.CommittedHead() - 2000;
  EXPECT_TRUE(live.WaitFor(static_cast<size_t>(committed_live)));
  // A second after the turn's last event, catch-up goes at its own pace:
  // the 8,000 events' rest arrives in much less than the 7 s the rate
  // would take.
  streaming = false;
  turn.join();
  for (auto& c : replays) {
    ASSERT_TRUE(c->WaitEnded());
    EXPECT_EQ(c->events().size(), 2000u);
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(6));
  for (auto& sub : subs) sub->Cancel();
  live_sub->Cancel();
  before_sub->Cancel();
}

TEST_F(EventLogTest, AFollowerThatFellBehindCatchesUpAndFollowsLiveAgain) {
  auto log = NewLog();  // batches of 32
  for (int i = 1; i <= 1000; ++i) {
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(log->Flush());
  // A follower from the session's start is 1,000 events behind (a
  // catch-up reader), with a replay beside it.
  Collector follower, replay;
  auto follower_sub = log->Subscribe({"ses_a", 0, 0, 0}, follower.Fn());
  follower.Attach(follower_sub);
  follower_sub->Request();
  auto replay_sub = log->Subscribe({"ses_a", 0, 1000}, replay.Fn());
  replay.Attach(replay_sub);
  replay_sub->Request();
  ASSERT_TRUE(follower.WaitFor(1000));
  ASSERT_TRUE(replay.WaitEnded());
  EXPECT_EQ(replay.events().size(), 1000u);
  // At the head again: a later event reaches it, and nothing twice.
  log->Append("ses_a", EventType::kRaw, "", Payload(1001));
  ASSERT_TRUE(follower.WaitFor(1001));
  std::vector<Event> got = follower.events();
  ASSERT_EQ(got.size(), 1001u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].session_seq, static_cast<int64_t>(i + 1));
  }
  // Every list lets go of a cancelled subscription, parked or not.
  EXPECT_EQ(log->SubscriberCount(), 2u);
  replay_sub->Cancel();
  follower_sub->Cancel();
  EXPECT_EQ(log->SubscriberCount(), 0u);
}

TEST_F(EventLogTest, AQuietSessionsFollowersWaitParkedAndWakeAtTheHead) {
  Collector replay;
  std::shared_ptr<EventLog::Subscription> replay_sub;
  auto log = LogWithItsOnlyTurnHeld({"ses_q", "ses_z"}, &replay, &replay_sub);
  ASSERT_EQ(log->CommittedHead(), 102);
  // Followers of quiet sessions, then 1,000 events of another session in
  // commits of 10: each follower has had everything (none of it is its
  // own) and is parked.
  Collector quiet, cancelled, drained;
  // (Each has had its session's one event: after_seq 1.)
  auto quiet_sub = log->Subscribe({"ses_q", 102, 0, 1}, quiet.Fn());
  auto cancelled_sub = log->Subscribe({"ses_q", 102, 0, 1}, cancelled.Fn());
  auto drained_sub = log->Subscribe({"ses_z", 102, 0, 1}, drained.Fn());
  for (auto [c, sub] : {std::pair{&quiet, quiet_sub},
                        std::pair{&cancelled, cancelled_sub},
                        std::pair{&drained, drained_sub}}) {
    c->Attach(sub);
    sub->Request();
  }
  for (int i = 1; i <= 1000; ++i) {
    log->Append("ses_b", EventType::kRaw, "", Payload(i));
    if (i % 10 == 0) {
      ASSERT_TRUE(log->Flush());
    }
  }
  cancelled_sub->Cancel();
  // Its session's event wakes the follower at the head (its cursor moved
  // to just before the event): served at once as a live follower, not
  // after the replay's turn.
  const absl::Time appended = absl::Now();
  const Event own = log->Append("ses_q", EventType::kRaw, "", Payload(1));
  ASSERT_TRUE(quiet.WaitFor(1));
  EXPECT_LT(absl::Now() - appended, absl::Milliseconds(500));
  ASSERT_EQ(quiet.events().size(), 1u);
  EXPECT_EQ(quiet.events()[0].event_id, own.event_id);
  EXPECT_TRUE(cancelled.events().empty());
  // Drain ends the one still parked.
  log->Drain();
  ASSERT_TRUE(drained.WaitEnded());
  EXPECT_EQ(drained.end(), EventLog::End::kDrained);
  EXPECT_TRUE(drained.events().empty());
  ASSERT_TRUE(quiet.WaitEnded());
  quiet_sub->Cancel();
  drained_sub->Cancel();
  replay_sub->Cancel();
}

TEST_F(EventLogTest, AQuietSessionsFollowerIsNotBehindAfterOtherSessionsBursts) {
  Collector replay;
  std::shared_ptr<EventLog::Subscription> replay_sub;
  auto log = LogWithItsOnlyTurnHeld({"ses_q"}, &replay, &replay_sub);
  ASSERT_EQ(log->CommittedHead(), 101);
  Collector quiet;
  auto quiet_sub = log->Subscribe({"ses_q", 101, 0, /*after_seq=*/1}, quiet.Fn());
  quiet.Attach(quiet_sub);
  quiet_sub->Request();
  // Another session's burst, committed as one change: far more than a
  // batch of ids past the follower's cursor at once.
  std::vector<EventLog::NewEvent> burst;
  for (int i = 1; i <= 1000; ++i) {
    burst.push_back({"ses_b", EventType::kRaw, "", Payload(i)});
  }
  log->Commit({}, std::move(burst));
  ASSERT_TRUE(log->Flush());
  const absl::Time appended = absl::Now();
  const Event own = log->Append("ses_q", EventType::kRaw, "", Payload(1));
  ASSERT_TRUE(quiet.WaitFor(1));
  EXPECT_LT(absl::Now() - appended, absl::Milliseconds(500))
      << "served as a live follower, not after the replay's turn";
  ASSERT_EQ(quiet.events().size(), 1u);
  EXPECT_EQ(quiet.events()[0].event_id, own.event_id);
  quiet_sub->Cancel();
  replay_sub->Cancel();
}

TEST_F(EventLogTest, NoDeliveryAfterCancel) {
  auto log = NewLog();
  std::atomic<int> calls{0};
  auto sub =
      log->Subscribe({"", 0, 0}, [&](std::vector<EventPtr>, EventLog::End) { ++calls; });
  sub->Request();
  sub->Cancel();
  for (int i = 0; i < 100; ++i)
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  log->Flush();
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(EventLogTest, SubscribersShareOneEventAndOneEncoding) {
  auto log = NewLog();
  absl::Mutex mu;
  std::vector<EventPtr> got[2];
  std::shared_ptr<EventLog::Subscription> subs[2];
  for (int i = 0; i < 2; ++i) {
    subs[i] = log->Subscribe({"", 0, 0}, [&, i](std::vector<EventPtr> batch,
                                                EventLog::End) {
      absl::MutexLock lock(&mu);
      for (EventPtr& e : batch) got[i].push_back(std::move(e));
    });
    subs[i]->Request();
  }
  log->Append("ses_a", EventType::kRaw, "", Payload(1));
  log->Flush();
  for (int tries = 0; tries < 500; ++tries) {
    {
      absl::MutexLock lock(&mu);
      if (!got[0].empty() && !got[1].empty()) break;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  subs[0]->Cancel();  // no delivery after this: `got` is ours
  subs[1]->Cancel();
  ASSERT_EQ(got[0].size(), 1u);
  ASSERT_EQ(got[1].size(), 1u);
  EXPECT_EQ(got[0][0].get(), got[1][0].get());  // the same object
  std::atomic<int> encodes{0};
  auto encode = [&](const Event& e, std::string* out) {
    ++encodes;
    *out = e.payload.dump();
  };
  EXPECT_EQ(got[0][0]->Encoded<std::string>(encode), "{\"i\":1}");
  EXPECT_EQ(&got[1][0]->Encoded<std::string>(encode),
            &got[0][0]->Encoded<std::string>(encode));
  EXPECT_EQ(encodes.load(), 1);
}

TEST_F(EventLogTest, CatchUpReadersAtTheSamePlaceShareOneStoreRead) {
  auto log = NewLog(/*ring=*/4);  // 100 events: most only in the store
  for (int i = 0; i < 100; ++i) {
    log->Append("ses_a", EventType::kRaw, "", Payload(i));
  }
  ASSERT_TRUE(log->Flush(absl::Seconds(5)));
  absl::Mutex mu;
  std::vector<EventPtr> got[2];
  std::shared_ptr<EventLog::Subscription> subs[2];
  for (int i = 0; i < 2; ++i) {
    subs[i] = log->Subscribe({"ses_a", 0, 100},
                             [&, i](std::vector<EventPtr> batch,
                                    EventLog::End end) {
                               absl::MutexLock lock(&mu);
                               for (EventPtr& e : batch) {
                                 got[i].push_back(std::move(e));
                               }
                               if (end == EventLog::End::kNone) {
                                 subs[i]->Request();
                               }
                             });
  }
  for (auto& sub : subs) sub->Request();
  for (int tries = 0; tries < 1000; ++tries) {
    {
      absl::MutexLock lock(&mu);
      if (got[0].size() == 100 && got[1].size() == 100) break;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  subs[0]->Cancel();
  subs[1]->Cancel();
  ASSERT_EQ(got[0].size(), 100u);
  ASSERT_EQ(got[1].size(), 100u);
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(got[0][i]->event().event_id, static_cast<int64_t>(i + 1));
    EXPECT_EQ(got[1][i]->event().event_id, static_cast<int64_t>(i + 1));
  }
  // The first full page (32 events) was read once and handed to both.
  EXPECT_EQ(got[0][0].get(), got[1][0].get());
  EXPECT_EQ(got[0][31].get(), got[1][31].get());
}

TEST(CapPayloadTest, ShortensLongStringsAndMarksTheOriginalSize) {
  nlohmann::json payload = {
      {"item", {{"id", "call_1"},
                {"type", "commandExecution"},
                {"aggregatedOutput", std::string(300000, 'y')},
                {"command", "yes"}}}};
  const size_t original = payload.dump().size();
  ASSERT_TRUE(CapPayload(payload, 65536));
  EXPECT_LE(payload.dump().size(), 65536u);
  EXPECT_EQ(payload["truncated"]["original_bytes"], original);
  EXPECT_EQ(payload["item"]["id"], "call_1");  // short strings are kept
  const std::string& out =
      payload["item"]["aggregatedOutput"].get_ref<const std::string&>();
  EXPECT_GT(out.size(), 30000u);
  EXPECT_EQ(out.substr(out.size() - 3), "\xE2\x80\xA6");  // ends in "…"

  nlohmann::json small = {{"text", "hi"}};
  EXPECT_FALSE(CapPayload(small, 1024));
  EXPECT_FALSE(small.contains("truncated"));

  // Many short members: shortening strings cannot help; only the marker.
  nlohmann::json wide = nlohmann::json::object();
  for (int i = 0; i < 5000; ++i) wide["k" + std::to_string(i)] = i;
  ASSERT_TRUE(CapPayload(wide, 1024));
  EXPECT_EQ(wide.size(), 1u);
  EXPECT_TRUE(wide.contains("truncated"));
}

}  // namespace
}  // namespace codex_manager
