#include "api/stream_service.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/event_encoding.h"
#include "api/id_fields.h"
#include "api/library_logs.h"
#include "api/log_writer.h"
#include "api/status.h"
#include "api/unparsed_request.h"
#include "common/server_metrics.h"
#include "common/status_macros.h"

namespace codex_manager {
namespace {

// What StreamEvents and StreamEventBatches share: the events a stream has
// been handed and not written yet, and what to do when none are left (ask
// the log for more, or end the call). The subclass says how pending events
// become one message (WriteNextLocked).
template <typename Message>
class EventStreamWriter : public LogWriter<Message> {
 public:
  // Writes `redelivered` first, then follows the log from the cursor.
  void Begin(EventLog* log, EventLog::SubscribeOptions options,
             std::vector<Event> redelivered,
             std::unique_ptr<Guard::StreamSlot> slot) {
    // Before mu_: the guard calls it holding the slot's waker lock, and it
    // takes mu_. The stream lives until the slot is destroyed.
    slot->OnTokenGone([this] { WakeOnTokenGone(); });
    absl::MutexLock lock(&this->mu_);
    this->slot_ = std::move(slot);
    if (!this->BeginLocked()) return;
    if (options.until_event_id == 0) {
      // A following stream's response headers go out now, not with the
      // first event, so a client (the browser, through codex-manager-web)
      // sees the stream open while it waits for an event. A replay has
      // events to send at once: its headers go with the first of them.
      this->StartSendInitialMetadata();
    }
    for (Event& e : redelivered) {
      pending_.push_back(
          {std::make_shared<const SharedEvent>(std::move(e)), true});
    }
    this->SubscribeLocked(log, std::move(options));
    NextLocked();
  }

 protected:
  struct Pending {
    EventPtr event;
    bool redelivered;
  };

  // Writes the next message, taking its events from pending_ (not empty),
  // through SendLocked.
  virtual void WriteNextLocked() = 0;

  // Writes `message`; when it holds the last events of a call that ends
  // (a replay's, or a drained stream's), the status goes with it.
  void SendLocked(const Message* message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this->mu_) {
    if (pending_.empty() && end_ != EventLog::End::kNone) {
      this->WriteLastLocked(message, EndStatus());
    } else {
      this->WriteLocked(message);
    }
  }

  std::deque<Pending> pending_;  // guarded by mu_

 private:
  void Deliver(std::vector<EventPtr> batch, EventLog::End end) override {
    absl::MutexLock lock(&this->mu_);
    if (this->finished_) return;
    for (EventPtr& e : batch) pending_.push_back({std::move(e), false});
    if (end != EventLog::End::kNone) end_ = end;
    if (!this->writing_) NextLocked();
  }

  // The guard found the stream's token revoked or expired: end now, or
  // once the write in flight is done (NextLocked), not at the next event.
  void WakeOnTokenGone() {
    absl::MutexLock lock(&this->mu_);
    if (!this->started_ || this->finished_ || this->writing_) return;
    this->EndIfTokenGoneLocked();
  }

  void NextLocked() override {
    if (this->finished_ || this->writing_) return;
    if (this->EndIfTokenGoneLocked()) return;
    if (!pending_.empty()) {
      WriteNextLocked();
    } else if (end_ != EventLog::End::kNone) {
      this->FinishLocked(EndStatus());
    } else if (this->sub_) {
      this->sub_->Request();
    }
  }

  // How the call ends once every event has been written (end_ is set).
  grpc::Status EndStatus() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(this->mu_) {
    if (end_ == EventLog::End::kDrained) {
      // Every committed event went out first; clients resume from the
      // last cursor once the server is back.
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, kShuttingDownMessage);
    }
    return grpc::Status::OK;  // kCaughtUp: the replay reached its end
  }

  EventLog::End end_ = EventLog::End::kNone;  // guarded by mu_
};

Counter& DeliveredEvents() {
  static Counter& delivered = Metrics().events_delivered.With({});
  return delivered;
}

// StreamEvents: one event per message.
class EventWriter final : public EventStreamWriter<v1::Event> {
 private:
  void WriteNextLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    const v1::Event& proto = EncodingOf(*next.event).proto();
    const v1::Event* message = &proto;
    if (next.redelivered) {  // a copy of its own, marked
      redelivered_ = proto;
      redelivered_.set_redelivered(true);
      message = &redelivered_;
    }
    // Kept alive until OnWriteDone. (No buffer hint: a buffered write's
    // OnWriteDone waits for a later flush, and this reactor has one write
    // in flight.)
    in_flight_ = std::move(next.event);
    DeliveredEvents().Add();
    SendLocked(message);
  }

  // The event being written, and the copy a redelivery writes.
  EventPtr in_flight_ ABSL_GUARDED_BY(mu_);
  v1::Event redelivered_ ABSL_GUARDED_BY(mu_);
};

// StreamEventBatches: every pending event, up to kMaxBatchEvents or
// kMaxBatchBytes (at least one), in one v1::EventBatch, written as the
// concatenation of the events' shared wire bytes.
class BatchWriter final : public EventStreamWriter<grpc::ByteBuffer> {
 public:
  static constexpr size_t kMaxBatchEvents = 256;
  static constexpr size_t kMaxBatchBytes = 1 << 20;

 private:
  void WriteNextLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Handed to the slice below and freed with it: no copy.
    auto* batch = new std::string();
    size_t events = 0;
    while (!pending_.empty() && events < kMaxBatchEvents) {
      const Pending& next = pending_.front();
      const EncodedEvent& encoded = EncodingOf(*next.event);
      std::string marked;  // a redelivered copy, marked
      if (next.redelivered) {
        v1::Event copy = encoded.proto();
        copy.set_redelivered(true);
        marked = copy.SerializeAsString();
      }
      const std::string& wire = next.redelivered ? marked : encoded.wire();
      if (events > 0 && batch->size() + wire.size() > kMaxBatchBytes) break;
      AppendBatchElement(wire, batch);
      ++events;
      pending_.pop_front();
    }
    grpc::Slice slice(
        batch->data(), batch->size(),
        [](void* p) { delete static_cast<std::string*>(p); }, batch);
    in_flight_ = grpc::ByteBuffer(&slice, 1);
    DeliveredEvents().Add(static_cast<double>(events));
    SendLocked(&in_flight_);
  }

  // The message being written (it holds its own bytes).
  grpc::ByteBuffer in_flight_ ABSL_GUARDED_BY(mu_);
};

// A stream's setup (StreamEvents, StreamEventBatches: `method`), on the
// handler pool: admits the call, checks the cursor against the store, and
// begins `writer` (or ends it: nothing to replay); or returns why not.
// `request` is null when the request did not parse (on this thread, just
// before: the field it names comes from TakeInvalidUtf8Field).
template <typename Writer>
absl::Status StartStream(Guard* guard, SessionManager* manager,
                         EventLog* log, Store* store,
                         grpc::CallbackServerContext* context,
                         absl::string_view method,
                         const v1::StreamEventsRequest* request,
                         Writer* writer) {
  absl::StatusOr<Caller> caller = guard->Admit(*context, method);
  if (request == nullptr) {
    if (!caller.ok()) return caller.status();
    return UnparsedRequestStatus(method, TakeInvalidUtf8Field());
  }
  const std::string& session_id = request->session_id();
  guard->NoteResource(*context, session_id);
  if (!caller.ok()) return caller.status();
  RETURN_IF_ERROR(CheckIdFields(*request));
  EventLog::SubscribeOptions options;
  options.session_id = session_id;
  const int64_t head = log->CommittedHead();
  if (!session_id.empty()) {
    if (request->after_event_id() != 0) {
      return absl::InvalidArgumentError(
          "after_event_id: use after_seq together with session_id");
    }
    if (request->after_seq() < 0) {
      return absl::InvalidArgumentError("after_seq: must not be negative");
    }
    // Only the row's purged_seq, one indexed read: every stream's setup
    // pays for it, and nothing else of the session is needed here.
    absl::StatusOr<int64_t> purged_seq = store->SessionPurgedSeq(session_id);
    if (!purged_seq.ok()) return purged_seq.status();
    const int64_t after_seq = request->after_seq();
    auto older = [&](int64_t purged) {
      return absl::OutOfRangeError(absl::StrCat(
          "after_seq: ", after_seq, " is older than session ", session_id,
          "'s retained events (--retain-archived-days deleted them); the "
          "oldest available cursor is after_seq=", purged));
    };
    if (after_seq > 0 && after_seq < *purged_seq) return older(*purged_seq);
    if (after_seq > 0 && after_seq == *purged_seq) {
      // Every event of the session is gone, and an archived session gets
      // no new ones: nothing to replay or follow.
      options.after_event_id = head;
    } else if (after_seq > 0) {
      absl::StatusOr<int64_t> id = store->EventIdOf(session_id, after_seq);
      if (id.ok() && *id <= head) {
        options.after_event_id = *id;
      } else {
        // Retention may have deleted the events since purged_seq was read
        // (two reads, two snapshots): then the cursor is old, not ahead.
        absl::StatusOr<int64_t> purged_now =
            store->SessionPurgedSeq(session_id);
        if (!purged_now.ok()) return purged_now.status();
        if (after_seq < *purged_now) return older(*purged_now);
        absl::StatusOr<RestoreGap> gap;
        if (after_seq == *purged_now) {
          options.after_event_id = head;  // as above: nothing is left
        } else if ((gap = store->RestoreGapOf(session_id, after_seq)).ok()) {
          // A cursor into what a restore lost: what follows it is the
          // session's events after the gap, all new to this client.
          options.after_event_id = gap->after_event_id;
          options.after_seq = gap->after_seq;
        } else if (!absl::IsNotFound(gap.status())) {
          return gap.status();
        } else {
          absl::StatusOr<int64_t> last_seq =
              store->LastSessionSeq(session_id);
          if (!last_seq.ok()) return last_seq.status();
          return absl::OutOfRangeError(absl::StrCat(
              "after_seq: ", after_seq, " is ahead of session ", session_id,
              "'s newest event (", *last_seq, ")"));
        }
      }
    }
    if (options.after_seq < 0) options.after_seq = after_seq;
  } else {
    if (request->after_seq() != 0) {
      return absl::InvalidArgumentError(
          "after_seq: needs session_id; use after_event_id for all sessions");
    }
    if (request->after_event_id() < 0) {
      return absl::InvalidArgumentError(
          "after_event_id: must not be negative");
    }
    absl::StatusOr<int64_t> purged = store->PurgedThroughEventId();
    if (!purged.ok()) return purged.status();
    if (request->after_event_id() > 0 && request->after_event_id() < *purged) {
      return absl::OutOfRangeError(absl::StrCat(
          "after_event_id: ", request->after_event_id(),
          " is older than the retained events (--retain-archived-days "
          "deleted archived sessions' events up to ",
          *purged, "); list again, then resume from the oldest available "
                   "cursor, after_event_id=",
          *purged));
    }
    if (request->after_event_id() > head) {
      return absl::OutOfRangeError(
          absl::StrCat("after_event_id: ", request->after_event_id(),
                       " is ahead of the newest event (", head, ")"));
    }
    options.after_event_id = request->after_event_id();
  }
  absl::StatusOr<std::vector<Event>> redelivered =
      options.after_event_id > 0
          ? manager->PendingApprovalEvents(session_id, options.after_event_id)
          : absl::StatusOr<std::vector<Event>>(std::vector<Event>());
  if (!redelivered.ok()) return redelivered.status();
  if (request->no_follow()) {
    // A replay ends at the newest event assigned so far, waiting for its
    // commit if need be: whatever a client saw happen before asking (e.g. a
    // turn COMPLETED in GetTurn) is in it.
    const int64_t until =
        std::max(log->AssignedHead(), options.after_event_id);
    if (until <= options.after_event_id && redelivered->empty()) {
      writer->End(absl::OkStatus());  // nothing to replay
      return absl::OkStatus();
    }
    options.until_event_id = until;
  }
  absl::StatusOr<std::unique_ptr<Guard::StreamSlot>> slot =
      guard->AcquireStream(*caller);
  if (!slot.ok()) return slot.status();
  writer->Begin(log, std::move(options), std::move(*redelivered),
                std::move(*slot));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerWriteReactor<v1::Event>* StreamServiceImpl::StreamEvents(
    grpc::CallbackServerContext* context,
    const v1::StreamEventsRequest* request) {
  static const std::string kMethod = absl::StrCat(
      "/", v1::StreamService::service_full_name(), "/StreamEvents");
  auto* writer = new EventWriter();
  guard_->RunHandler([this, context, request, writer] {
    absl::Status started = StartStream(guard_, manager_, log_, store_, context,
                                       kMethod, request, writer);
    if (!started.ok()) writer->End(started);
  });
  return writer;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>*
StreamServiceImpl::StreamEventBatches(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request) {
  static const std::string kMethod = absl::StrCat(
      "/", v1::StreamService::service_full_name(), "/StreamEventBatches");
  auto* writer = new BatchWriter();
  guard_->RunHandler([this, context, request, writer] {
    // Raw (so the batches can be written as bytes): the request is parsed
    // here, as gRPC would have.
    grpc::ByteBuffer bytes(*request);
    v1::StreamEventsRequest parsed;
    const bool ok =
        grpc::SerializationTraits<v1::StreamEventsRequest>::Deserialize(
            &bytes, &parsed)
            .ok();
    absl::Status started = StartStream(guard_, manager_, log_, store_, context,
                                       kMethod, ok ? &parsed : nullptr, writer);
    if (!started.ok()) writer->End(started);
  });
  return writer;
}

}  // namespace codex_manager
