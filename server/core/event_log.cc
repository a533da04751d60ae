#include "core/event_log.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/server_metrics.h"
#include "common/thread_name.h"
#include "common/utf8.h"

namespace codex_manager {

EventLog::Subscription::Subscription(EventLog* log, SubscribeOptions opts,
                                     DeliverFn fn)
    : log_(log),
      session_id_(std::move(opts.session_id)),
      until_(opts.until_event_id),
      deliver_(std::move(fn)),
      cursor_(opts.after_event_id),
      seq_(session_id_.empty() ? -1 : opts.after_seq) {}

void EventLog::Subscription::Request() {
  absl::MutexLock lock(&log_->mu_);
  log_->EndCatchUpTurn(*this);  // the last batch is written
  requested_ = true;
  if (where_ == Where::kBehind) {
    auto it = log_->behind_.find(this);
    if (it != log_->behind_.end()) log_->MakeReady(it->second);
  }
  log_->dispatcher_cv_.Signal();
}

void EventLog::Subscription::Cancel() {
  {
    // Waits for a delivery in progress to finish.
    absl::MutexLock lock(&deliver_mu_);
    deliver_ = nullptr;
  }
  absl::MutexLock lock(&log_->mu_);
  log_->EndCatchUpTurn(*this);
  ended_ = true;  // a round holding it skips it (and never parks it)
  log_->Detach(*this);
}

EventLog::EventLog(Store* store, Options options)
    : store_(store), options_(options) {}

EventLog::~EventLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    writer_cv_.SignalAll();
    dispatcher_cv_.SignalAll();
  }
  if (writer_.joinable()) writer_.join();
  if (dispatcher_.joinable()) dispatcher_.join();
}

absl::Status EventLog::Start() {
  absl::StatusOr<int64_t> last = store_->LastEventId();
  if (!last.ok()) return last.status();
  {
    absl::MutexLock lock(&mu_);
    next_event_id_ = *last + 1;
    committed_head_ = *last;
  }
  writer_ = NamedThread("cm-log-writer", [this] { WriterLoop(); });
  dispatcher_ = NamedThread("cm-log-dispatch", [this] { DispatcherLoop(); });
  return absl::OkStatus();
}

absl::StatusOr<int64_t> EventLog::SeqLocked(const std::string& session_id) {
  auto it = last_seq_.find(session_id);
  if (it != last_seq_.end()) return it->second;
  // First event of this session in this process: continue after what the
  // store holds. Nothing of this session can be queued yet.
  absl::StatusOr<int64_t> last = store_->LastSessionSeq(session_id);
  if (!last.ok()) return last.status();
  last_seq_.emplace(session_id, *last);
  return *last;
}

namespace {

// Catch-up subscribers (behind the ring) served per dispatcher round.
constexpr size_t kStoreReadsPerRound = 8;
// Longest a subscriber catching up holds its turn (max_catch_up_streams).
constexpr absl::Duration kCatchUpTurn = absl::Seconds(1);
// How long after a live follower's last batch a turn counts as streaming
// (catch_up_events_per_second applies).
constexpr std::chrono::seconds kLiveTurnLinger{1};
// Full pages of store reads kept for readers at the same place.
constexpr size_t kCachedPages = 64;

size_t JsonBytes(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
      .size();
}

// Cuts every string in `j` longer than `cap` bytes; returns how many.
int CutStrings(nlohmann::json& j, size_t cap) {
  int cut = 0;
  if (j.is_string()) {
    std::string& s = j.get_ref<std::string&>();
    if (s.size() > cap) {
      s = SafeText(s, cap);
      ++cut;
    }
  } else if (j.is_structured()) {
    for (auto& child : j) cut += CutStrings(child, cap);
  }
  return cut;
}

size_t LongestString(const nlohmann::json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().size();
  size_t longest = 0;
  if (j.is_structured()) {
    for (const auto& child : j) longest = std::max(longest, LongestString(child));
  }
  return longest;
}

// An upper bound of JsonBytes(j) without serializing: every string byte
// counted as its longest escape (\u00XX), every number as 32 characters.
// Bounded by `stop` (once past it the exact size is needed anyway).
size_t JsonBytesAtMost(const nlohmann::json& j, size_t stop) {
  if (j.is_string()) return 2 + 6 * j.get_ref<const std::string&>().size();
  if (!j.is_structured()) return 32;
  size_t total = 2;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end() && total <= stop; ++it) {
      total += 2 + 6 * it.key().size() + JsonBytesAtMost(*it, stop);
    }
  } else {
    for (auto it = j.begin(); it != j.end() && total <= stop; ++it) {
      total += 1 + JsonBytesAtMost(*it, stop);
    }
  }
  return total;
}

}  // namespace

bool CapPayload(nlohmann::json& payload, size_t max_bytes) {
  // Most payloads are far below the limit: tell without serializing them
  // (the store serializes each once, at commit).
  if (JsonBytesAtMost(payload, max_bytes) <= max_bytes) return false;
  const size_t original = JsonBytes(payload);
  if (original <= max_bytes) return false;
  const nlohmann::json marker = {{"original_bytes", original}};
  if (payload.is_object()) {
    // Halve the longest strings until the whole fits (or strings are short
    // and it still does not: then only the marker is kept).
    for (size_t cap = LongestString(payload) / 2; cap >= 64; cap /= 2) {
      CutStrings(payload, cap);
      payload["truncated"] = marker;
      if (JsonBytes(payload) <= max_bytes) return true;
    }
  }
  payload = {{"truncated", marker}};
  return true;
}

std::vector<Event> EventLog::ToEvents(std::vector<NewEvent> events) const {
  const absl::Time now = absl::Now();
  std::vector<Event> out;
  out.reserve(events.size());
  for (NewEvent& n : events) {
    Event e;
    e.session_id = std::move(n.session_id);
    e.type = n.type;
    e.turn_id = std::move(n.turn_id);
    e.create_time = now;
    e.payload = std::move(n.payload);
    if (options_.max_payload_bytes > 0 &&
        CapPayload(e.payload, options_.max_payload_bytes)) {
      Log(LogLevel::kWarning, "event payload over the limit stored cut down",
          {{"session_id", e.session_id},
           {"type", static_cast<int>(e.type)},
           {"original_bytes", e.payload["truncated"]["original_bytes"]}});
    }
    out.push_back(std::move(e));
  }
  return out;
}

int64_t EventLog::Enqueue(WriteBatch rows, std::vector<Event> events,
                          const BindFn& bind, std::vector<Event>* out,
                          absl::Status* status) {
  rows.events = std::move(events);
  // Read every seq first: a change is queued whole or not at all.
  for (const Event& e : rows.events) {
    if (absl::StatusOr<int64_t> seq = SeqLocked(e.session_id); !seq.ok()) {
      // The store cannot say where this session's log ends; appending
      // would risk a duplicate seq. Drop loudly rather than corrupt the log.
      Log(LogLevel::kError, "change dropped: cannot read session seq",
          {{"session_id", e.session_id}, {"error", seq.status().ToString()}});
      *status = absl::UnavailableError(absl::StrCat(
          "cannot read the event log of session ", e.session_id, ": ",
          seq.status().message()));
      return 0;
    }
  }
  for (Event& e : rows.events) {
    e.event_id = next_event_id_++;
    e.session_seq = ++last_seq_[e.session_id];
  }
  if (bind) bind(rows.events, rows);
  if (out != nullptr) {
    // Ids and all but the payload: callers need to know where the events
    // went, and a copy of every payload would cost more than the commit.
    out->reserve(rows.events.size());
    for (const Event& e : rows.events) {
      Event copy;
      copy.event_id = e.event_id;
      copy.session_id = e.session_id;
      copy.session_seq = e.session_seq;
      copy.type = e.type;
      copy.create_time = e.create_time;
      copy.turn_id = e.turn_id;
      out->push_back(std::move(copy));
    }
  }
  const int64_t ticket = next_ticket_++;
  queued_.push_back(Change{std::move(rows), ticket});
  writer_cv_.Signal();
  return ticket;
}

std::vector<Event> EventLog::Commit(WriteBatch rows,
                                    std::vector<NewEvent> events,
                                    BindFn bind) {
  std::vector<Event> prepared = ToEvents(std::move(events));  // unlocked
  std::vector<Event> out;
  absl::Status status;
  absl::MutexLock lock(&mu_);
  Enqueue(std::move(rows), std::move(prepared), bind, &out, &status);
  return out;
}

absl::StatusOr<std::vector<Event>> EventLog::CommitAndWait(
    WriteBatch rows, std::vector<NewEvent> events, BindFn bind,
    absl::Duration timeout) {
  std::vector<Event> prepared = ToEvents(std::move(events));  // unlocked
  std::vector<Event> out;
  absl::Status status;
  absl::MutexLock lock(&mu_);
  const int64_t ticket =
      Enqueue(std::move(rows), std::move(prepared), bind, &out, &status);
  if (ticket == 0) return status;
  const absl::Time deadline = absl::Now() + timeout;
  while (committed_ticket_ < ticket && !stopping_) {
    if (flushed_cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  if (committed_ticket_ < ticket) {
    return absl::UnavailableError(absl::StrCat(
        "the store did not commit the change within ",
        absl::FormatDuration(timeout),
        "; it stays queued and is committed once the store recovers"));
  }
  if (auto it = refused_.find(ticket); it != refused_.end()) {
    status = std::move(it->second);
    refused_.erase(it);
    return status;
  }
  return out;
}

Event EventLog::Append(const std::string& session_id, EventType type,
                       const std::string& turn_id, nlohmann::json payload) {
  std::vector<Event> out =
      Commit({}, {NewEvent{session_id, type, turn_id, std::move(payload)}});
  if (out.empty()) {
    Event e;  // dropped (logged): no ids
    e.session_id = session_id;
    e.type = type;
    e.turn_id = turn_id;
    return e;
  }
  return std::move(out.front());
}

bool EventLog::Flush(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const int64_t target = next_ticket_ - 1;
  const absl::Time deadline = absl::Now() + timeout;
  while (committed_ticket_ < target && !stopping_) {
    if (flushed_cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  return committed_ticket_ >= target;
}

absl::StatusOr<int64_t> EventLog::PurgeArchived(absl::Time archived_before) {
  absl::StatusOr<int64_t> deleted =
      store_->PurgeArchivedEvents(archived_before);
  if (deleted.ok() && *deleted > 0) {
    absl::MutexLock lock(&mu_);
    ring_.clear();  // subscribers behind now read the store
    pages_.clear();
  }
  return deleted;
}

bool EventLog::Healthy() {
  absl::MutexLock lock(&mu_);
  return failed_commits_ == 0;
}

int64_t EventLog::CommittedHead() {
  absl::MutexLock lock(&mu_);
  return committed_head_;
}

bool EventLog::WaitForRoom(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return next_event_id_ - 1 - committed_head_ <
               options_.max_uncommitted_events ||
           stopping_;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&room), timeout);
}

int64_t EventLog::Uncommitted() {
  absl::MutexLock lock(&mu_);
  return next_event_id_ - 1 - committed_head_;
}

void EventLog::Drain() {
  absl::MutexLock lock(&mu_);
  if (drain_through_ < 0) drain_through_ = committed_head_;
  while (!parked_.empty()) Unpark(parked_.begin()->first, 0);  // to end them
  RetryWaitingForCommit();
  dispatcher_cv_.Signal();
}

size_t EventLog::SubscriberCount() {
  absl::MutexLock lock(&mu_);
  size_t parked = 0;
  for (const auto& [session_id, subs] : parked_) parked += subs.size();
  return live_.size() + behind_.size() + parked;
}

int64_t EventLog::AssignedHead() {
  absl::MutexLock lock(&mu_);
  return next_event_id_ - 1;
}

std::shared_ptr<EventLog::Subscription> EventLog::Subscribe(
    SubscribeOptions options, DeliverFn deliver) {
  std::shared_ptr<Subscription> sub(
      new Subscription(this, std::move(options), std::move(deliver)));
  absl::MutexLock lock(&mu_);
  Attach(sub, sub->until_ > 0 ? Subscription::Where::kBehind
                              : Subscription::Where::kLive);
  return sub;
}

size_t EventLog::CommitChanges(std::vector<Change>& changes) {
  std::vector<const WriteBatch*> all;
  all.reserve(changes.size());
  for (const Change& c : changes) all.push_back(&c.rows);
  const absl::Time started = absl::Now();
  absl::Status status = store_->WriteAll(all);
  static Histogram& commit_seconds = Metrics().commit_seconds.With({});
  static Counter& commit_failures = Metrics().commit_failures.With({});
  commit_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - started));
  if (status.ok()) return changes.size();
  commit_failures.Add();
  if (!absl::IsAlreadyExists(status) || changes.size() > 1) {
    if (changes.size() == 1) {
      absl::MutexLock lock(&mu_);
      if (failed_commits_ % 100 == 0) {  // the first, then every 10 s
        Log(LogLevel::kError, "commit failed; retrying every 100 ms",
            {{"error", status.ToString()}, {"attempts", failed_commits_ + 1}});
      }
      return 0;
    }
    // One change at a time, so a refused one cannot hold the others.
    for (size_t i = 0; i < changes.size(); ++i) {
      std::vector<Change> one;
      one.push_back(std::move(changes[i]));
      const size_t done = CommitChanges(one);
      changes[i] = std::move(one.front());
      if (done == 0) return i;
    }
    return changes.size();
  }
  // Refused for good: keep the events (no seq may be skipped), drop the
  // rows, and tell the waiter.
  Change& c = changes.front();
  Log(LogLevel::kError, "change refused by the store; its events are kept",
      {{"error", status.ToString()}});
  WriteBatch events_only;
  events_only.events = c.rows.events;
  const WriteBatch* one[] = {&events_only};
  if (absl::Status s = store_->WriteAll(one); !s.ok()) {
    Log(LogLevel::kError, "commit failed; retrying every 100 ms",
        {{"error", s.ToString()}});
    return 0;
  }
  absl::MutexLock lock(&mu_);
  refused_[c.ticket] = status;
  return 1;
}

void EventLog::WriterLoop() {
  for (;;) {
    std::vector<Change> changes;
    {
      absl::MutexLock lock(&mu_);
      while (queued_.empty() && !stopping_) writer_cv_.Wait(&mu_);
      if (queued_.empty()) return;  // stopping, and everything is committed
      // Whole changes, up to max_commit_batch events (at least one change).
      size_t events = 0;
      while (!queued_.empty() &&
             (changes.empty() ||
              events + queued_.front().rows.events.size() <=
                  options_.max_commit_batch)) {
        events += queued_.front().rows.events.size();
        changes.push_back(std::move(queued_.front()));
        queued_.pop_front();
      }
    }
    const size_t done = CommitChanges(changes);
    absl::MutexLock lock(&mu_);
    // The session of the events before (a burst is one session's run):
    // its followers are woken, and its entry found, once per run.
    auto session = committed_seq_.end();
    for (size_t i = 0; i < done; ++i) {
      committed_ticket_ = changes[i].ticket;
      static Counter& persisted = Metrics().events_persisted.With({});
      persisted.Add(static_cast<double>(changes[i].rows.events.size()));
      for (Event& e : changes[i].rows.events) {
        if (session == committed_seq_.end() || session->first != e.session_id) {
          if (!parked_.empty()) Unpark(e.session_id, e.event_id);
          session = committed_seq_.try_emplace(e.session_id).first;
        }
        session->second = e.session_seq;
        committed_head_ = e.event_id;
        ring_.push_back(std::make_shared<const SharedEvent>(std::move(e)));
      }
    }
    while (ring_.size() > options_.ring_capacity) ring_.pop_front();
    if (done > 0) {
      RetryWaitingForCommit();
      dispatcher_cv_.Signal();
      flushed_cv_.SignalAll();
    }
    if (done == changes.size() && failed_commits_ > 0) {
      Log(LogLevel::kInfo, "commits resumed",
          {{"failed_attempts", failed_commits_}});
      failed_commits_ = 0;
    }
    if (done < changes.size()) {
      ++failed_commits_;
      // Keep the order: put the rest back in front and try again shortly.
      queued_.insert(queued_.begin(),
                     std::make_move_iterator(changes.begin() + done),
                     std::make_move_iterator(changes.end()));
      if (stopping_) return;
      writer_cv_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
    }
  }
}

int64_t EventLog::LimitOf(const Subscription& sub, End* end_at_limit) const {
  int64_t limit = committed_head_;
  *end_at_limit = End::kNone;
  if (drain_through_ >= 0 && drain_through_ <= limit) {
    limit = drain_through_;
    *end_at_limit = End::kDrained;
  }
  if (sub.until_ > 0 && sub.until_ <= limit) {
    limit = sub.until_;
    *end_at_limit = End::kCaughtUp;
  }
  return limit;
}

bool EventLog::HasWork(bool live_only) {
  for (const auto& [ptr, sub] : live_) {
    if (!sub->requested_ || sub->ended_) continue;
    End end = End::kNone;
    const int64_t limit = LimitOf(*sub, &end);
    if (live_only && !Live(*sub, limit)) continue;
    // Events to hand over (when it may have them now), or its end.
    if (sub->cursor_ < limit ? MayServe(*sub, limit) : end != End::kNone) {
      return true;
    }
  }
  if (live_only) return false;
  if (ReadyFront(ready_within_batch_) != nullptr) return true;
  // Catch-up goes in the order asked: the first waiting decides.
  const std::shared_ptr<Subscription> first = ReadyFront(ready_);
  if (first == nullptr) return false;
  End end = End::kNone;
  return MayServe(*first, LimitOf(*first, &end));
}

bool EventLog::Behind(const Subscription& sub, int64_t limit) const {
  if (sub.seq_ >= 0) {
    // Seqs are gapless: what it has not had of its session is the
    // difference, however many events other sessions committed meanwhile.
    auto it = committed_seq_.find(sub.session_id_);
    if (it != committed_seq_.end()) {
      return it->second - sub.seq_ > options_.max_delivery_batch;
    }
  }
  return limit - sub.cursor_ > options_.max_delivery_batch;
}

bool EventLog::Live(const Subscription& sub, int64_t limit) const {
  return sub.until_ == 0 && !Behind(sub, limit);
}

bool EventLog::CatchUpPaced(Steady::time_point now) const {
  return options_.catch_up_events_per_second > 0 && now < live_until_ &&
         now < catch_up_not_before_;
}

bool EventLog::MayServe(const Subscription& sub, int64_t limit) const {
  return !Behind(sub, limit) || sub.catching_up_ ||
         turn_holders_.size() <
             static_cast<size_t>(options_.max_catch_up_streams);
}

void EventLog::ExpireCatchUpTurns() {
  if (turn_holders_.empty()) return;
  const absl::Time now = absl::Now();
  std::vector<Subscription*> expired;
  for (Subscription* sub : turn_holders_) {
    if (now - sub->catch_up_since_ > kCatchUpTurn) expired.push_back(sub);
  }
  for (Subscription* sub : expired) EndCatchUpTurn(*sub);
}

void EventLog::EndCatchUpTurn(Subscription& sub) {
  if (!sub.catching_up_) return;
  sub.catching_up_ = false;
  turn_holders_.erase(&sub);
  dispatcher_cv_.Signal();
}

void EventLog::MakeReady(const std::shared_ptr<Subscription>& sub) {
  if (sub->in_ready_ || sub->where_ != Subscription::Where::kBehind ||
      !sub->requested_ || sub->ended_) {
    return;
  }
  sub->in_ready_ = true;
  End end = End::kNone;
  (Behind(*sub, LimitOf(*sub, &end)) ? ready_ : ready_within_batch_)
      .push_back(sub);
}

std::shared_ptr<EventLog::Subscription> EventLog::ReadyFront(
    std::deque<std::shared_ptr<Subscription>>& queue) {
  while (!queue.empty()) {
    const std::shared_ptr<Subscription>& sub = queue.front();
    if (sub->where_ == Subscription::Where::kBehind && sub->requested_ &&
        !sub->ended_) {
      return sub;
    }
    sub->in_ready_ = false;
    queue.pop_front();
  }
  return nullptr;
}

void EventLog::RetryWaitingForCommit() {
  std::vector<std::shared_ptr<Subscription>> waiting;
  waiting.swap(waiting_for_commit_);
  for (const std::shared_ptr<Subscription>& sub : waiting) MakeReady(sub);
}

std::vector<EventPtr> EventLog::NextBatch(Subscription& sub, End* end) {
  End end_at_limit = End::kNone;
  const int64_t limit = LimitOf(sub, &end_at_limit);
  *end = End::kNone;
  if (sub.cursor_ >= limit) {
    *end = end_at_limit;
    return {};
  }
  std::vector<EventPtr> out = NextEvents(sub, limit);
  // The batch that reaches the end carries it: a replay's last message can
  // go out with its status.
  if (sub.cursor_ >= limit) *end = end_at_limit;
  return out;
}

std::vector<EventPtr> EventLog::NextEvents(Subscription& sub, int64_t limit) {
  const size_t max = static_cast<size_t>(options_.max_delivery_batch);
  std::vector<EventPtr> out;
  if (!ring_.empty() && sub.cursor_ + 1 >= ring_.front()->event().event_id) {
    // Ring ids are contiguous: index straight to the cursor.
    for (size_t i = sub.cursor_ + 1 - ring_.front()->event().event_id;
         i < ring_.size() && out.size() < max; ++i) {
      const Event& e = ring_[i]->event();
      if (e.event_id > limit) break;
      sub.cursor_ = e.event_id;
      if (sub.session_id_.empty() || e.session_id == sub.session_id_) {
        out.push_back(ring_[i]);  // shared, not copied
      }
    }
    return out;
  }
  // Behind the ring: a page another reader at the same place just read, or
  // the store.
  for (auto it = pages_.begin(); it != pages_.end(); ++it) {
    if (it->after == sub.cursor_ && it->session_id == sub.session_id_ &&
        it->events.back()->event().event_id <= limit) {
      pages_.splice(pages_.begin(), pages_, it);  // most recently used
      sub.cursor_ = it->events.back()->event().event_id;
      return it->events;  // shared, not copied
    }
  }
  // Read without holding the lock.
  EventQuery query;
  query.after_event_id = sub.cursor_;
  query.up_to_event_id = limit;
  query.session_id = sub.session_id_;
  query.limit = options_.max_delivery_batch;
  mu_.Unlock();
  absl::StatusOr<std::vector<Event>> read = store_->ReadEvents(query);
  if (!read.ok()) {
    Log(LogLevel::kError, "event read failed; retrying",
        {{"error", read.status().ToString()}});
    absl::SleepFor(absl::Milliseconds(100));
    mu_.Lock();
    return {};
  }
  mu_.Lock();
  const int64_t after = sub.cursor_;
  // Fewer than asked means nothing else matches up to `limit`.
  sub.cursor_ = read->size() < max ? limit : read->back().event_id;
  out.reserve(read->size());
  for (Event& e : *read) {
    out.push_back(std::make_shared<const SharedEvent>(std::move(e)));
  }
  // A full page stays valid whatever the reader's limit: keep it for the
  // next reader at the same place (replays of one session move together).
  if (out.size() == max) {
    pages_.push_front(CachedPage{sub.session_id_, after, out});
    if (pages_.size() > kCachedPages) pages_.pop_back();
  }
  return out;
}

void EventLog::DispatcherLoop() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    ExpireCatchUpTurns();
    for (;;) {
      // Decided once: a wait for "nothing to do" must not follow a check
      // that, being paced, looked only at live followers.
      const Steady::time_point now = Steady::now();
      const bool paced = CatchUpPaced(now);
      if (stopping_ || HasWork(paced)) break;
      if (paced) {  // catch-up waits for its next turn
        dispatcher_cv_.WaitWithTimeout(
            &mu_, absl::FromChrono(
                      std::min(catch_up_not_before_, live_until_) - now));
      } else if (turn_holders_.empty()) {
        dispatcher_cv_.Wait(&mu_);
      } else {  // turns held by slow readers expire
        dispatcher_cv_.WaitWithTimeout(&mu_, absl::Milliseconds(250));
        ExpireCatchUpTurns();
      }
    }
    if (stopping_) return;
    // Live followers (following with no end, at most a batch behind) first,
    // every round: each gets the few events committed since its last batch,
    // from the ring. Then the others (replays, readers catching up) one at a
    // time, in the order they asked (ready_), at most kStoreReadsPerRound of
    // them reading the store; a commit after one of their deliveries starts
    // a new round. So a live event waits for at most one catch-up delivery,
    // however many thousands of clients are catching up, and they still
    // progress. While a turn streams, catch-up is paced
    // (catch_up_events_per_second).
    const int64_t head = committed_head_;
    std::vector<std::shared_ptr<Subscription>> live, fell_behind;
    for (const auto& [ptr, sub] : live_) {
      if (!sub->requested_ || sub->ended_) continue;
      End end = End::kNone;
      (Live(*sub, LimitOf(*sub, &end)) ? live : fell_behind).push_back(sub);
    }
    for (const std::shared_ptr<Subscription>& sub : fell_behind) {
      Attach(Detach(*sub), Subscription::Where::kBehind);
    }
    for (const std::shared_ptr<Subscription>& sub : live) {
      size_t events = 0;
      if (Serve(sub, &events) && events > 0) {
        live_until_ = Steady::now() + kLiveTurnLinger;
      }
    }
    if (CatchUpPaced(Steady::now())) continue;
    size_t store_reads = 0;
    const double rate =
        static_cast<double>(options_.catch_up_events_per_second);
    for (;;) {
      // Those within a batch of their end first: they need no turn.
      std::deque<std::shared_ptr<Subscription>>* queue = &ready_within_batch_;
      std::shared_ptr<Subscription> sub = ReadyFront(*queue);
      if (sub == nullptr) {
        queue = &ready_;
        sub = ReadyFront(*queue);
      }
      if (sub == nullptr) break;
      End end = End::kNone;
      if (!MayServe(*sub, LimitOf(*sub, &end))) {
        if (queue == &ready_) break;  // waits for a turn
        // More than a batch to go since it asked (its session went on):
        // it waits for a turn like the others.
        queue->pop_front();
        ready_.push_back(std::move(sub));
        continue;
      }
      const bool from_store = sub->cursor_ + 1 < RingFront();
      if (from_store && store_reads == kStoreReadsPerRound) break;
      queue->pop_front();
      sub->in_ready_ = false;
      size_t events = 0;
      if (!Serve(sub, &events)) {
        // Nothing to hand over yet (a replay whose last events are still
        // queued): it waits for the next commit.
        if (sub->where_ == Subscription::Where::kBehind && sub->requested_ &&
            !sub->ended_) {
          waiting_for_commit_.push_back(sub);
        }
        continue;
      }
      if (from_store) ++store_reads;
      if (sub->where_ == Subscription::Where::kBehind &&
          Live(*sub, LimitOf(*sub, &end))) {
        Attach(Detach(*sub), Subscription::Where::kLive);  // caught up
      }
      const Steady::time_point now = Steady::now();
      if (rate > 0 && events > 0 && now < live_until_) {
        // Only while a turn streams: what went out before it does not
        // count against it.
        catch_up_not_before_ =
            std::max(catch_up_not_before_, now) +
            std::chrono::duration_cast<Steady::duration>(
                std::chrono::duration<double>(events / rate));
        if (CatchUpPaced(now)) break;
      }
      if (committed_head_ != head) break;  // live followers first
    }
  }
}

void EventLog::Unpark(const std::string& session_id, int64_t event_id) {
  auto it = parked_.find(session_id);
  if (it == parked_.end()) return;
  std::vector<std::shared_ptr<Subscription>> parked = std::move(it->second);
  parked_.erase(it);
  for (std::shared_ptr<Subscription>& sub : parked) {
    // Everything committed between its cursor and this event is another
    // session's (an earlier one of its own would have unparked it): skip
    // it, so the follower stays at the head, not "behind".
    if (event_id > 0) sub->cursor_ = std::max(sub->cursor_, event_id - 1);
    Attach(std::move(sub), Subscription::Where::kLive);
  }
}

std::shared_ptr<EventLog::Subscription> EventLog::Detach(Subscription& sub) {
  std::shared_ptr<Subscription> held;
  switch (sub.where_) {
    case Subscription::Where::kNone:
      break;
    case Subscription::Where::kLive:
    case Subscription::Where::kBehind: {
      auto& list = sub.where_ == Subscription::Where::kLive ? live_ : behind_;
      auto it = list.find(&sub);
      if (it != list.end()) {
        held = std::move(it->second);
        list.erase(it);
      }
      break;
    }
    case Subscription::Where::kParked: {
      auto list = parked_.find(sub.session_id_);
      if (list == parked_.end()) break;
      auto& subs = list->second;
      auto it = std::find_if(subs.begin(), subs.end(),
                             [&](const auto& p) { return p.get() == &sub; });
      if (it != subs.end()) {
        held = std::move(*it);
        subs.erase(it);
      }
      if (subs.empty()) parked_.erase(list);
      break;
    }
  }
  sub.where_ = Subscription::Where::kNone;
  return held;
}

void EventLog::Attach(std::shared_ptr<Subscription> sub,
                      Subscription::Where where) {
  if (sub == nullptr) return;
  sub->where_ = where;
  switch (where) {
    case Subscription::Where::kNone:
      break;
    case Subscription::Where::kLive:
      live_.emplace(sub.get(), std::move(sub));
      break;
    case Subscription::Where::kBehind:
      MakeReady(sub);
      behind_.emplace(sub.get(), std::move(sub));
      break;
    case Subscription::Where::kParked:
      parked_[sub->session_id_].push_back(std::move(sub));
      break;
  }
}

int64_t EventLog::RingFront() const {
  return ring_.empty() ? committed_head_ + 1 : ring_.front()->event().event_id;
}

bool EventLog::Serve(const std::shared_ptr<Subscription>& sub,
                     size_t* events) {
  if (!sub->requested_ || sub->ended_) return false;
  End end = End::kNone;
  const int64_t limit = LimitOf(*sub, &end);
  if (!MayServe(*sub, limit)) return false;  // waits for a catch-up turn
  const bool behind = Behind(*sub, limit);
  std::vector<EventPtr> batch = NextBatch(*sub, &end);
  if (events != nullptr) *events = batch.size();
  if (batch.empty() && end == End::kNone) {
    // A session's live follower with nothing up to the head: parked until
    // a commit brings an event of its session (or a drain).
    if (sub->until_ == 0 && !sub->session_id_.empty() && !sub->ended_ &&
        drain_through_ < 0 && sub->cursor_ >= committed_head_) {
      Attach(Detach(*sub), Subscription::Where::kParked);
    }
    return false;
  }
  if (sub->seq_ >= 0 && !batch.empty()) {
    sub->seq_ = batch.back()->event().session_seq;
  }
  if (behind && !sub->catching_up_) {
    sub->catching_up_ = true;
    sub->catch_up_since_ = absl::Now();
    turn_holders_.insert(sub.get());
  }
  sub->requested_ = false;
  sub->ended_ = end != End::kNone;
  mu_.Unlock();
  {
    absl::MutexLock deliver_lock(&sub->deliver_mu_);
    if (sub->deliver_) sub->deliver_(std::move(batch), end);
  }
  mu_.Lock();
  return true;
}

}  // namespace codex_manager
