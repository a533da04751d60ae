#include "api/stream_service.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/convert.h"
#include "api/log_writer.h"
#include "api/status.h"
#include "common/server_metrics.h"

namespace codex_manager {
namespace {

class EventWriter final : public LogWriter<v1::Event> {
 public:
  // Set up later (StreamEvents): Begin, or End with an error.
  EventWriter() = default;

  // Writes `redelivered` first, then follows the log from the cursor.
  void Begin(EventLog* log, EventLog::SubscribeOptions options,
             std::vector<Event> redelivered,
             std::unique_ptr<Guard::StreamSlot> slot) {
    absl::MutexLock lock(&mu_);
    slot_ = std::move(slot);
    if (!BeginLocked()) return;
    // The response headers go out now, not with the first event, so a
    // client (the browser, through codex-manager-web) sees the stream
    // open while it waits for an event.
    StartSendInitialMetadata();
    for (Event& e : redelivered) {
      pending_.push_back(
          {std::make_shared<const SharedEvent>(std::move(e)), true});
    }
    SubscribeLocked(log, std::move(options));
    NextLocked();
  }

 private:
  struct Pending {
    EventPtr event;
    bool redelivered;
  };

  void Deliver(std::vector<EventPtr> batch, EventLog::End end) override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    for (EventPtr& e : batch) pending_.push_back({std::move(e), false});
    if (end != EventLog::End::kNone) end_ = end;
    if (!writing_) NextLocked();
  }

  void NextLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_) return;
    if (pending_.empty()) {
      if (end_ == EventLog::End::kCaughtUp) {
        FinishLocked(grpc::Status::OK);
      } else if (end_ == EventLog::End::kDrained) {
        // Every committed event went out first; clients resume from the
        // last cursor once the server is back.
        FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  kShuttingDownMessage));
      } else if (sub_) {
        sub_->Request();
      }
      return;
    }
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    // Converted once per event, whatever the number of streams it goes to.
    const v1::Event& proto = next.event->Encoded<v1::Event>(
        [](const Event& e, v1::Event* out) { ToProto(e, out); });
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
    static Counter& delivered = Metrics().events_delivered.With({});
    delivered.Add();
    WriteLocked(message);
  }

  std::unique_ptr<Guard::StreamSlot> slot_ ABSL_GUARDED_BY(mu_);
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  // The event being written, and the copy a redelivery writes.
  EventPtr in_flight_ ABSL_GUARDED_BY(mu_);
  v1::Event redelivered_ ABSL_GUARDED_BY(mu_);
  EventLog::End end_ ABSL_GUARDED_BY(mu_) = EventLog::End::kNone;
};

// StreamEvents' setup, on the handler pool: admits the call, checks the
// cursor against the store, and begins `writer` (or ends it: nothing to
// replay); or returns why not.
absl::Status StartStream(Guard* guard, SessionManager* manager,
                         EventLog* log, Store* store,
                         grpc::CallbackServerContext* context,
                         const v1::StreamEventsRequest* request,
                         EventWriter* writer) {
  static const std::string kMethod =
      absl::StrCat("/", v1::StreamService::service_full_name(), "/StreamEvents");
  absl::StatusOr<Caller> caller = guard->Admit(*context, kMethod);
  const std::string& session_id = request->session_id();
  guard->NoteResource(*context, session_id);
  if (!caller.ok()) return caller.status();
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
    absl::StatusOr<Session> session = manager->GetSession(session_id);
    if (!session.ok()) return session.status();
    if (request->after_seq() > 0 && request->after_seq() < session->purged_seq) {
      return absl::OutOfRangeError(absl::StrCat(
          "after_seq: ", request->after_seq(), " is older than session ",
          session_id, "'s retained events (--retain-archived-days deleted "
          "them); the oldest available cursor is after_seq=",
          session->purged_seq));
    }
    if (request->after_seq() > 0 && request->after_seq() == session->purged_seq) {
      // Every event of the session is gone, and an archived session gets
      // no new ones: nothing to replay or follow.
      options.after_event_id = head;
    } else if (request->after_seq() > 0) {
      absl::StatusOr<int64_t> id =
          store->EventIdOf(session_id, request->after_seq());
      if (!id.ok() || *id > head) {
        return absl::OutOfRangeError(absl::StrCat(
            "after_seq: ", request->after_seq(), " is ahead of session ",
            session_id, "'s newest event (", session->last_seq, ")"));
      }
      options.after_event_id = *id;
    }
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
  auto* writer = new EventWriter();
  guard_->RunHandler([this, context, request, writer] {
    absl::Status started = StartStream(guard_, manager_, log_, store_, context,
                                       request, writer);
    if (!started.ok()) writer->End(started);
  });
  return writer;
}

}  // namespace codex_manager
