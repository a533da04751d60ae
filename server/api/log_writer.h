// The shape both event-log streams share (StreamEvents, ExportTranscript):
// a gRPC server-streaming reactor fed by an EventLog subscription, with one
// write in flight. The subclass says what a delivered batch becomes
// (Deliver, on the log's dispatcher thread) and what to do next when no
// write is in flight (NextLocked: write, ask the subscription for more, or
// finish); this class ends the call on a failed write or a cancel, holds
// the caller's stream slot (and ends the call once its token is gone,
// EndIfTokenGoneLocked), and cancels the subscription when the call is
// done. Nothing blocks inside a reaction.
#ifndef CODEX_MANAGER_SERVER_API_LOG_WRITER_H_
#define CODEX_MANAGER_SERVER_API_LOG_WRITER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "api/guard.h"
#include "api/status.h"
#include "core/event_log.h"

namespace codex_manager {

// The message of the UNAVAILABLE a stream ends with when the server drains
// it at shutdown (EventLog::Drain): every event committed before was
// delivered, and a client resumes from its last cursor once the server is
// back.
inline constexpr char kShuttingDownMessage[] =
    "codex-manager-server is shutting down; every committed event was "
    "delivered; resume from the last cursor when it is back";

template <typename Message>
class LogWriter : public grpc::ServerWriteReactor<Message> {
 public:
  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      // The client is gone; OnCancel or OnDone follows.
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    NextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    if (!started_) {
      // The call's setup still runs on the handler pool: it ends the call
      // (BeginLocked says so), so this object outlives the setup.
      cancelled_before_start_ = true;
      return;
    }
    FinishLocked(grpc::Status::CANCELLED);
  }

  // For a call set up later (the protected default constructor): ends it
  // with `status` instead of starting it. Any thread.
  void End(const absl::Status& status) {
    absl::MutexLock lock(&mu_);
    started_ = true;
    FinishLocked(cancelled_before_start_ ? grpc::Status::CANCELLED
                                         : ToGrpcStatus(status));
  }

  void OnDone() override {
    // After Cancel returns, the log never calls Deliver again.
    if (sub_) sub_->Cancel();
    // Finish may be called from a thread of ours under mu_ (End, Deliver):
    // wait until that thread has let go of it.
    std::unique_ptr<Guard::StreamSlot> slot;
    {
      absl::MutexLock lock(&mu_);
      slot = std::move(slot_);
    }
    // Outside mu_, while this object is whole: the slot's destructor
    // waits for a wake in progress (Guard::WakeStreamsOfGoneTokens), which
    // takes mu_.
    slot.reset();
    delete this;
  }

 protected:
  // A call set up later, on the handler pool (api/serve.h), because its
  // setup reads the store: the subclass' start method (under mu_) calls
  // BeginLocked, or the setup calls End. Until then nothing is sent, and a
  // cancel waits for one of them.
  LogWriter() = default;

  // Marks the call started; false when it was cancelled meanwhile (then
  // it is finished CANCELLED, and the caller starts nothing).
  bool BeginLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    started_ = true;
    if (cancelled_before_start_) {
      FinishLocked(grpc::Status::CANCELLED);
      return false;
    }
    return true;
  }

  // Follows `log` per `options`; Deliver gets the batches asked for with
  // Request(). Call with mu_ held, from the subclass' constructor.
  void SubscribeLocked(EventLog* log, EventLog::SubscribeOptions options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    sub_ = log->Subscribe(std::move(options),
                          [this](std::vector<EventPtr> batch,
                                 EventLog::End end) {
                            Deliver(std::move(batch), end);
                          });
  }
  // Runs on the log's dispatcher thread.
  virtual void Deliver(std::vector<EventPtr> batch, EventLog::End end) = 0;
  // The next step when no write is in flight.
  virtual void NextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  void WriteLocked(const Message* message) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    this->StartWrite(message);
  }
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    this->Finish(status);
  }
  // Ends the call UNAUTHENTICATED once the caller's token was revoked or
  // has expired (Guard::StreamSlot::Check); true then. Before each write,
  // so no message reaches a token after that.
  bool EndIfTokenGoneLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!slot_) return false;
    absl::Status valid = slot_->Check();
    if (valid.ok()) return false;
    FinishLocked(ToGrpcStatus(valid));
    return true;
  }
  // Writes the call's last message and ends it with `status` in one step
  // (gRPC's StartWriteAndFinish: one send where a write and then a Finish
  // take two). No OnWriteDone follows; `message` lives until OnDone.
  void WriteLastLocked(const Message* message, const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    writing_ = true;
    this->StartWriteAndFinish(message, grpc::WriteOptions(), status);
  }

  absl::Mutex mu_;
  std::shared_ptr<EventLog::Subscription> sub_;
  // The caller's stream slot (Guard::AcquireStream), set by the start
  // method; released in OnDone.
  std::unique_ptr<Guard::StreamSlot> slot_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_before_start_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_LOG_WRITER_H_
