// The shape both event-log streams share (StreamEvents, ExportTranscript):
// a gRPC server-streaming reactor fed by an EventLog subscription, with one
// write in flight. The subclass says what a delivered batch becomes
// (Deliver, on the log's dispatcher thread) and what to do next when no
// write is in flight (NextLocked: write, ask the subscription for more, or
// finish); this class ends the call on a failed write or a cancel, and
// cancels the subscription when the call is done. Nothing blocks inside a
// reaction.
#ifndef CODEX_MANAGER_SERVER_API_LOG_WRITER_H_
#define CODEX_MANAGER_SERVER_API_LOG_WRITER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
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
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    // After Cancel returns, the log never calls Deliver again.
    if (sub_) sub_->Cancel();
    delete this;
  }

 protected:
  LogWriter() = default;
  // A call that ends at once with `status`.
  explicit LogWriter(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
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

  absl::Mutex mu_;
  std::shared_ptr<EventLog::Subscription> sub_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_LOG_WRITER_H_
