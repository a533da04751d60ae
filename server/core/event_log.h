// EventLog: the durable, ordered event stream of all sessions, and its
// fan-out to subscribers.
//
// Life of a change: Commit() takes a change — the rows it writes (a turn, an
// approval, an idempotency key, an audit record) and the events that
// describe it — assigns each event its `event_id` (global, strictly
// increasing) and `session_seq` (per session, gapless from 1), and queues
// it. The writer thread is the only writer of events: it commits everything
// queued so far in one transaction (group commit: a burst of deltas costs
// one commit), so a change's rows and events are committed together or not
// at all. Only then are the events put in the in-memory ring and offered to
// subscribers. So an event is always persisted before it is delivered, what
// any subscriber sees is a prefix of the committed log, and every state a
// client saw in an event is already in its row.
//
// A commit that fails is retried (in order, every 100 ms) until the store
// recovers; callers waiting in CommitAndWait get UNAVAILABLE after their
// timeout. Rows the store refuses for good (ALREADY_EXISTS) are dropped with
// their waiter told; the events still commit, so no session_seq is skipped.
//
// Subscribers pull: a Subscription asks for the next batch with Request();
// the dispatcher thread answers from the ring when the subscriber's cursor is
// still in it, else from the store. A slow subscriber therefore costs a store
// read, never memory, and never blocks Append or other subscribers. Live
// followers go first, and a session's follower that has had everything
// waits parked under its session id until a commit brings one of its
// events, so a commit costs nothing per follower of another session.
// Replays and followers far behind wait in a list of their own, which the
// dispatcher leaves alone while a turn streams and catch-up is paced
// (Options::catch_up_events_per_second).
//
// Thread safety: all methods are safe to call from any thread. Delivery
// callbacks run on the dispatcher thread and must not block.
#ifndef CODEX_MANAGER_SERVER_CORE_EVENT_LOG_H_
#define CODEX_MANAGER_SERVER_CORE_EVENT_LOG_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/types.h"
#include "core/store.h"

namespace codex_manager {

// An event as the log delivers it: immutable and shared by every
// subscriber it goes to (one allocation, no copy per subscriber), with one
// memoized encoding — the API layer's proto — made by the first subscriber
// that needs it and reused by the others.
class SharedEvent {
 public:
  explicit SharedEvent(Event event) : event_(std::move(event)) {}
  const Event& event() const { return event_; }
  // `encode(event, &value)` run once per event, whichever thread asks
  // first; every caller must ask for the same T.
  template <typename T, typename EncodeFn>
  const T& Encoded(EncodeFn encode) const {
    absl::call_once(once_, [&] {
      auto value = std::make_shared<T>();
      encode(event_, value.get());
      encoded_ = std::move(value);
    });
    return *static_cast<const T*>(encoded_.get());
  }

 private:
  const Event event_;
  mutable absl::once_flag once_;
  mutable std::shared_ptr<const void> encoded_;
};
using EventPtr = std::shared_ptr<const SharedEvent>;

// `payload` (a JSON object) cut to at most about `max_bytes` of JSON: its
// longest strings are shortened (on character boundaries, ending in "…")
// until it fits, and `"truncated": {"original_bytes": N}` is added; when
// shortening strings is not enough, only that marker remains. Returns
// false (and leaves `payload` alone) when it already fits.
bool CapPayload(nlohmann::json& payload, size_t max_bytes);

class EventLog {
 public:
  struct Options {
    // Committed events kept in memory for live subscribers.
    size_t ring_capacity = 8192;
    // Most events one commit takes; more stay queued for the next one.
    size_t max_commit_batch = 4096;
    // Events assigned but not committed yet beyond which WaitForRoom holds
    // producers back (while the store fails, or falls behind).
    int64_t max_uncommitted_events = 100000;
    // Most events handed to a subscriber per Request().
    int max_delivery_batch = 256;
    // Most subscribers catching up (more than a batch behind what they
    // follow) that hold an undelivered batch at once; the others wait
    // their turn, in the order they asked for their next batch.
    // Subscribers at the head never wait, so thousands of replays cannot
    // crowd out the streams following a turn live.
    int max_catch_up_streams = 16;
    // While a turn streams (a live follower was handed events within the
    // last second), the most events a second replays and readers catching
    // up get, all together (0: no limit). Delivering history costs CPU on
    // the same cores — the server's writes, the clients' reads — so capping
    // it leaves a live event a free core, not a queue for one. Otherwise
    // they go as fast as they read.
    int64_t catch_up_events_per_second = 0;
    // Largest payload stored, in bytes of JSON (0: no limit). A larger one
    // is stored cut down (CapPayload), so no stream can jam on an event
    // bigger than the gRPC message limit.
    size_t max_payload_bytes = 0;
  };

  // Why a subscription ends; delivered once, with the batch that reaches
  // the end (empty when the end came with nothing new).
  enum class End {
    kNone,      // more may come
    kCaughtUp,  // a subscription with `until_event_id` has reached it
    kDrained,   // the log is draining (Drain()): everything committed
                // before it was delivered
  };
  // Receives batches of events in order; the last one also says how the
  // subscription ended.
  using DeliverFn = std::function<void(std::vector<EventPtr> batch, End end)>;

  struct SubscribeOptions {
    // Only this session's events; empty = every session.
    std::string session_id;
    // Deliver events with event_id greater than this.
    int64_t after_event_id = 0;
    // When > 0: stop after this event_id (a replay); see DeliverFn `end`.
    int64_t until_event_id = 0;
    // With `session_id`: the session_seq of the session's event at
    // `after_event_id` (0: before its first), or -1 when not known. Tells
    // how far behind the subscriber is: its session's events after its
    // cursor, not every session's.
    int64_t after_seq = -1;
  };

  class Subscription {
   public:
    // Asks for the next batch; the DeliverFn runs once when events are
    // available (at once if they already are). Call again after each batch.
    void Request();
    // After Cancel returns, the DeliverFn is never called again.
    void Cancel();

   private:
    friend class EventLog;
    Subscription(EventLog* log, SubscribeOptions opts, DeliverFn fn);
    EventLog* const log_;
    const std::string session_id_;
    const int64_t until_;
    absl::Mutex deliver_mu_;
    DeliverFn deliver_ ABSL_GUARDED_BY(deliver_mu_);
    // Guarded by the log's mu_.
    int64_t cursor_;
    int64_t seq_;  // session_seq of the last event delivered (-1: unknown)
    bool requested_ = false;
    bool ended_ = false;
    // Holds one of the max_catch_up_streams turns until its next Request,
    // or for a second at most (a client that stopped reading cannot keep
    // others waiting), since `catch_up_since_`; in the log's turn_holders_.
    bool catching_up_ = false;
    absl::Time catch_up_since_;
    // Which of the log's lists holds it (see live_).
    enum class Where { kNone, kLive, kBehind, kParked };
    Where where_ = Where::kNone;
    // In the log's ready_ or ready_within_batch_ (a subscriber in behind_
    // that asked for more).
    bool in_ready_ = false;
  };

  EventLog(Store* store, Options options);
  explicit EventLog(Store* store) : EventLog(store, Options()) {}
  // Commits what is queued, then stops the threads.
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Reads the newest event id from the store and starts the writer and
  // dispatcher threads. Call once before anything else.
  absl::Status Start();

  // One event of a change, before it has ids.
  struct NewEvent {
    std::string session_id;
    EventType type = EventType::kUnspecified;
    std::string turn_id;
    nlohmann::json payload = nlohmann::json::object();
  };
  // Runs under the log's lock once the change's events have their ids, to
  // put those ids into its rows (e.g. Approval::request_event_id).
  using BindFn =
      std::function<void(const std::vector<Event>& events, WriteBatch& rows)>;

  // Queues one change (see above) and returns its events' ids, session,
  // type, turn and time (not their payloads, which are capped at
  // Options::max_payload_bytes). Never waits for I/O. A change whose
  // session seq cannot be read is dropped and logged.
  std::vector<Event> Commit(WriteBatch rows, std::vector<NewEvent> events,
                            BindFn bind = nullptr);
  // Commit, then waits until it is committed. The store's error when it
  // refused the rows for good (ALREADY_EXISTS); UNAVAILABLE when the seq
  // cannot be read, or when the store has not committed the change within
  // `timeout` (it stays queued, and commits once the store recovers).
  absl::StatusOr<std::vector<Event>> CommitAndWait(
      WriteBatch rows, std::vector<NewEvent> events, BindFn bind = nullptr,
      absl::Duration timeout = absl::Seconds(10));

  // A change that is one event and no rows (the return as Commit's).
  Event Append(const std::string& session_id, EventType type,
               const std::string& turn_id, nlohmann::json payload);

  // Waits until every change queued before the call is committed (reads
  // of the store then see them); false when `timeout` passed first.
  bool Flush(absl::Duration timeout = absl::InfiniteDuration());

  // Retention: deletes the events of sessions archived before
  // `archived_before` (Store::PurgeArchivedEvents) and forgets the ring, so
  // no subscriber is served a deleted event from memory. Returns how many
  // events were deleted.
  absl::StatusOr<int64_t> PurgeArchived(absl::Time archived_before);

  // False while commits are failing (the store is full, or its disk
  // fails): changes stay queued and are retried every 100 ms. Mutations
  // check this first and refuse with UNAVAILABLE, changing nothing.
  bool Healthy();

  // Back-pressure for producers nobody waits on (a runtime's output): true
  // at once while fewer than Options::max_uncommitted_events are waiting
  // to commit; otherwise waits up to `timeout` for commits to make room
  // and says whether they did. The caller goes on either way: the wait
  // only slows it (a runtime's reader thread stops reading its stdout, so
  // Codex blocks on its pipe), it never drops anything.
  bool WaitForRoom(absl::Duration timeout);
  // Events assigned (Append, Commit) and not committed yet.
  int64_t Uncommitted();

  // Graceful shutdown: every subscription, once it has had every event
  // committed before this call, ends with End::kDrained (a replay whose
  // `until_event_id` comes first still ends kCaughtUp). Later commits are
  // not delivered; a subscription made after Drain ends at once the same
  // way. Returns at once; the subscribers drain at their own pace.
  void Drain();

  // Open subscriptions (for the metrics).
  size_t SubscriberCount();
  // The newest committed event id.
  int64_t CommittedHead();
  // The newest event id assigned by Append (committed or still queued). A
  // replay that ends here includes everything that happened before it
  // started, including events whose state change a client already saw.
  int64_t AssignedHead();

  std::shared_ptr<Subscription> Subscribe(SubscribeOptions options,
                                          DeliverFn deliver);

 private:
  using Steady = std::chrono::steady_clock;
  void WriterLoop();
  void DispatcherLoop();
  // Finds what `sub` should get next, and `end` when that batch (maybe
  // empty) reaches the subscription's end; may read the store (without
  // mu_).
  std::vector<EventPtr> NextBatch(Subscription& sub, End* end)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Up to a batch of `sub`'s events after its cursor, up to `limit`; moves
  // the cursor past them.
  std::vector<EventPtr> NextEvents(Subscription& sub, int64_t limit)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // What `sub` may get through now (its until, the drain point and the
  // committed head), and how it ends once it has.
  int64_t LimitOf(const Subscription& sub, End* end_at_limit) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether a subscription has a batch (or its end) to hand over now;
  // with `live_only`, only live followers count (while catch-up waits for
  // catch_up_events_per_second).
  bool HasWork(bool live_only) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `sub` follows with no end and at most a batch behind `limit`.
  bool Live(const Subscription& sub, int64_t limit) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether replays and readers catching up wait now
  // (catch_up_events_per_second), until catch_up_not_before_.
  bool CatchUpPaced(Steady::time_point now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `sub` is more than a batch behind `limit` (catching up): more
  // than a batch of its session's events after its last one (when both
  // seqs are known), else more than a batch of event ids up to `limit`.
  bool Behind(const Subscription& sub, int64_t limit) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `sub` (requested) may be handed a batch now: at the head, or
  // catching up with a turn free (max_catch_up_streams).
  bool MayServe(const Subscription& sub, int64_t limit) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands `sub` its next batch (or its end) when it asked for one and may
  // have it now; false when there was nothing to hand over. Runs the
  // DeliverFn without mu_.
  // `events`, when given, gets how many events it handed over.
  bool Serve(const std::shared_ptr<Subscription>& sub,
             size_t* events = nullptr) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes `sub` out of the list it is in (live_, behind_, parked_) and
  // returns that list's reference to it (null when it was in none).
  std::shared_ptr<Subscription> Detach(Subscription& sub)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Puts `sub`, in no list, in `where`'s.
  void Attach(std::shared_ptr<Subscription> sub, Subscription::Where where)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the followers parked on `session_id` back to live_; when
  // `event_id` (the session's first event since they parked) is given,
  // their cursors move to just before it.
  void Unpark(const std::string& session_id, int64_t event_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The oldest event id in the ring (the committed head + 1 when empty).
  int64_t RingFront() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives back `sub`'s catch-up turn, if it holds one.
  void EndCatchUpTurn(Subscription& sub) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes back the turns held longer than a second.
  void ExpireCatchUpTurns() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues `sub` at the back of ready_ (more than a batch to go) or of
  // ready_within_batch_ when it is in behind_, asked for more, has not
  // ended and is not queued already.
  void MakeReady(const std::shared_ptr<Subscription>& sub)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The first of `queue` still waiting to be served (dropping the ones
  // that left behind_, ended or were served meanwhile), or null.
  std::shared_ptr<Subscription> ReadyFront(
      std::deque<std::shared_ptr<Subscription>>& queue)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the subscribers that had nothing to hand over back to ready_
  // (after a commit, or Drain).
  void RetryWaitingForCommit() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<int64_t> SeqLocked(const std::string& session_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // A queued change; `ticket` orders changes (and names them to waiters).
  struct Change {
    WriteBatch rows;
    int64_t ticket = 0;
  };
  // The events of a change, stamped and capped (outside the lock).
  std::vector<Event> ToEvents(std::vector<NewEvent> events) const;
  // Queues a change; returns its ticket (0 when it was dropped).
  int64_t Enqueue(WriteBatch rows, std::vector<Event> events,
                  const BindFn& bind, std::vector<Event>* out,
                  absl::Status* status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits `changes` (several in one transaction when it can); returns
  // how many of them are committed, recording refused rows in refused_.
  size_t CommitChanges(std::vector<Change>& changes) ABSL_LOCKS_EXCLUDED(mu_);

  Store* const store_;
  const Options options_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_event_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::unordered_map<std::string, int64_t> last_seq_ ABSL_GUARDED_BY(mu_);
  // Each session's newest committed session_seq (sessions with an event
  // committed since Start).
  std::unordered_map<std::string, int64_t> committed_seq_ ABSL_GUARDED_BY(mu_);
  std::deque<Change> queued_ ABSL_GUARDED_BY(mu_);
  // Subscribers holding a catch-up turn (Subscription::catching_up_).
  std::unordered_set<Subscription*> turn_holders_ ABSL_GUARDED_BY(mu_);
  // catch_up_events_per_second: a turn streams until `live_until_` (a
  // second after a live follower's last batch); meanwhile no replay or
  // reader catching up is served before `catch_up_not_before_`, which each
  // of their batches moves on by its size / the rate. (Monotonic: a wall
  // clock set back must not stall catch-up.)
  Steady::time_point live_until_ ABSL_GUARDED_BY(mu_);
  Steady::time_point catch_up_not_before_ ABSL_GUARDED_BY(mu_);
  int64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;
  int64_t committed_ticket_ ABSL_GUARDED_BY(mu_) = 0;
  // Consecutive failed commit attempts (0: healthy).
  int64_t failed_commits_ ABSL_GUARDED_BY(mu_) = 0;
  // Tickets whose rows the store refused for good, and why.
  std::unordered_map<int64_t, absl::Status> refused_ ABSL_GUARDED_BY(mu_);
  int64_t committed_head_ ABSL_GUARDED_BY(mu_) = 0;
  // Drain(): the committed head when it was called (-1: not draining).
  int64_t drain_through_ ABSL_GUARDED_BY(mu_) = -1;
  std::deque<EventPtr> ring_ ABSL_GUARDED_BY(mu_);
  // Full pages read from the store for catch-up subscribers, most recently
  // used first: readers at the same place share one read and one
  // SharedEvent per event.
  struct CachedPage {
    std::string session_id;
    int64_t after = 0;
    std::vector<EventPtr> events;
  };
  std::list<CachedPage> pages_ ABSL_GUARDED_BY(mu_);
  // Every open subscription is in one of three lists (Subscription::where_).
  // live_: followers, at the head or last seen there; the dispatcher looks
  // at them every round. A round that finds one more than a batch behind
  // moves it to behind_.
  std::unordered_map<Subscription*, std::shared_ptr<Subscription>> live_
      ABSL_GUARDED_BY(mu_);
  // behind_: replays, and followers more than a batch behind until a batch
  // brings them back to the head. The dispatcher never walks it: those that
  // asked for more wait in ready_, in the order they asked, and a round
  // serves from its front while a catch-up turn is free (and catch-up is
  // not paced). So thousands of replays cost a round, and a live event, a
  // few of them at most, never all of them. Those with at most a batch to
  // go (a short replay, a client resuming) need no turn: they wait in
  // ready_within_batch_, served before ready_.
  std::unordered_map<Subscription*, std::shared_ptr<Subscription>> behind_
      ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Subscription>> ready_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<Subscription>> ready_within_batch_
      ABSL_GUARDED_BY(mu_);
  // Subscribers of behind_ that asked for more when there was nothing yet
  // to hand over (a replay whose last events are still queued): queued
  // again (MakeReady) at the next commit, or Drain.
  std::vector<std::shared_ptr<Subscription>> waiting_for_commit_
      ABSL_GUARDED_BY(mu_);
  // parked_, subscribers indexed by session: a session's live followers
  // that asked for more and have had every committed event of it. A commit
  // of one of its events (or Drain) moves them back to live_, so commits of
  // busy sessions cost nothing per follower of a quiet one.
  std::unordered_map<std::string, std::vector<std::shared_ptr<Subscription>>>
      parked_ ABSL_GUARDED_BY(mu_);
  absl::CondVar writer_cv_;      // queued_ grew, or stopping_
  absl::CondVar dispatcher_cv_;  // a commit, a Request, or stopping_
  absl::CondVar flushed_cv_;     // committed_ticket_ moved

  std::thread writer_;
  std::thread dispatcher_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_EVENT_LOG_H_
