#include "core/event_log.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "common/log.h"
#include "common/utf8.h"

namespace codex_manager {

EventLog::Subscription::Subscription(EventLog* log, SubscribeOptions opts,
                                     DeliverFn fn)
    : log_(log),
      session_id_(std::move(opts.session_id)),
      until_(opts.until_event_id),
      deliver_(std::move(fn)),
      cursor_(opts.after_event_id) {}

void EventLog::Subscription::Request() {
  absl::MutexLock lock(&log_->mu_);
  requested_ = true;
  log_->dispatcher_cv_.Signal();
}

void EventLog::Subscription::Cancel() {
  {
    // Waits for a delivery in progress to finish.
    absl::MutexLock lock(&deliver_mu_);
    deliver_ = nullptr;
  }
  absl::MutexLock lock(&log_->mu_);
  log_->subs_.erase(this);
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
  writer_ = std::thread([this] { WriterLoop(); });
  dispatcher_ = std::thread([this] { DispatcherLoop(); });
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

}  // namespace

bool CapPayload(nlohmann::json& payload, size_t max_bytes) {
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

Event EventLog::Append(const std::string& session_id, EventType type,
                       const std::string& turn_id, nlohmann::json payload) {
  Event e;
  e.session_id = session_id;
  e.type = type;
  e.turn_id = turn_id;
  e.create_time = absl::Now();
  e.payload = std::move(payload);
  if (options_.max_payload_bytes > 0 &&
      CapPayload(e.payload, options_.max_payload_bytes)) {
    Log(LogLevel::kWarning, "event payload over the limit stored cut down",
        {{"session_id", session_id},
         {"type", static_cast<int>(type)},
         {"original_bytes", e.payload["truncated"]["original_bytes"]}});
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<int64_t> seq = SeqLocked(session_id);
  if (!seq.ok()) {
    // The store cannot say where this session's log ends; appending would
    // risk a duplicate seq. Drop loudly rather than corrupt the log.
    Log(LogLevel::kError, "event dropped: cannot read session seq",
        {{"session_id", session_id}, {"error", seq.status().ToString()}});
    return e;
  }
  e.event_id = next_event_id_++;
  e.session_seq = *seq + 1;
  last_seq_[session_id] = e.session_seq;
  queued_.push_back(e);
  writer_cv_.Signal();
  return e;
}

void EventLog::Flush() {
  absl::MutexLock lock(&mu_);
  const int64_t target = next_event_id_ - 1;
  while (committed_head_ < target && !stopping_) flushed_cv_.Wait(&mu_);
}

int64_t EventLog::CommittedHead() {
  absl::MutexLock lock(&mu_);
  return committed_head_;
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
  subs_.emplace(sub.get(), sub);
  return sub;
}

void EventLog::WriterLoop() {
  for (;;) {
    std::vector<Event> batch;
    {
      absl::MutexLock lock(&mu_);
      while (queued_.empty() && !stopping_) writer_cv_.Wait(&mu_);
      if (queued_.empty()) return;  // stopping, and everything is committed
      size_t n = std::min(queued_.size(), options_.max_commit_batch);
      batch.assign(std::make_move_iterator(queued_.begin()),
                   std::make_move_iterator(queued_.begin() + n));
      queued_.erase(queued_.begin(), queued_.begin() + n);
    }
    absl::Status status = store_->AppendEvents(batch);
    absl::MutexLock lock(&mu_);
    if (!status.ok()) {
      // Keep the order: put the batch back in front and try again shortly.
      Log(LogLevel::kError, "event commit failed; retrying",
          {{"error", status.ToString()}, {"events", batch.size()}});
      queued_.insert(queued_.begin(), std::make_move_iterator(batch.begin()),
                     std::make_move_iterator(batch.end()));
      if (stopping_) return;
      writer_cv_.WaitWithTimeout(&mu_, absl::Milliseconds(100));
      continue;
    }
    committed_head_ = batch.back().event_id;
    for (Event& e : batch) ring_.push_back(std::move(e));
    while (ring_.size() > options_.ring_capacity) ring_.pop_front();
    dispatcher_cv_.Signal();
    flushed_cv_.SignalAll();
  }
}

bool EventLog::HasWork() {
  for (const auto& [ptr, sub] : subs_) {
    if (!sub->requested_ || sub->ended_) continue;
    if (sub->until_ > 0 && sub->cursor_ >= sub->until_) return true;
    const int64_t limit = sub->until_ > 0
                              ? std::min(sub->until_, committed_head_)
                              : committed_head_;
    if (sub->cursor_ < limit) return true;
  }
  return false;
}

std::vector<Event> EventLog::NextBatch(Subscription& sub, bool* end) {
  *end = false;
  if (sub.until_ > 0 && sub.cursor_ >= sub.until_) {
    *end = true;
    return {};
  }
  const int64_t limit =
      sub.until_ > 0 ? std::min(sub.until_, committed_head_) : committed_head_;
  if (sub.cursor_ >= limit) return {};
  const size_t max = static_cast<size_t>(options_.max_delivery_batch);
  std::vector<Event> out;
  if (!ring_.empty() && sub.cursor_ + 1 >= ring_.front().event_id) {
    // Ring ids are contiguous: index straight to the cursor.
    for (size_t i = sub.cursor_ + 1 - ring_.front().event_id;
         i < ring_.size() && out.size() < max; ++i) {
      const Event& e = ring_[i];
      if (e.event_id > limit) break;
      sub.cursor_ = e.event_id;
      if (sub.session_id_.empty() || e.session_id == sub.session_id_) {
        out.push_back(e);
      }
    }
    return out;
  }
  // Behind the ring: read the store, without holding the lock.
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
  // Fewer than asked means nothing else matches up to `limit`.
  sub.cursor_ = read->size() < max ? limit : read->back().event_id;
  return std::move(*read);
}

void EventLog::DispatcherLoop() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    while (!stopping_ && !HasWork()) dispatcher_cv_.Wait(&mu_);
    if (stopping_) return;
    std::vector<std::shared_ptr<Subscription>> ready;
    for (const auto& [ptr, sub] : subs_) {
      if (sub->requested_ && !sub->ended_) ready.push_back(sub);
    }
    for (const std::shared_ptr<Subscription>& sub : ready) {
      if (!sub->requested_) continue;
      bool end = false;
      std::vector<Event> batch = NextBatch(*sub, &end);
      if (batch.empty() && !end) continue;
      sub->requested_ = false;
      sub->ended_ = end;
      mu_.Unlock();
      {
        absl::MutexLock deliver_lock(&sub->deliver_mu_);
        if (sub->deliver_) sub->deliver_(std::move(batch), end);
      }
      mu_.Lock();
    }
  }
}

}  // namespace codex_manager
