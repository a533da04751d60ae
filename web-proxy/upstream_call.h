// UpstreamCall: one call to the upstream gRPC server through
// grpc::GenericStub, so the proxy forwards any method without knowing the
// API. It is a bidi-streaming call on gRPC's completion-queue API, which
// covers unary and server-streaming methods alike: it writes the request
// messages, half-closes, reads the initial metadata (the response head),
// then reads responses back to back while the sink can take more; when it
// cannot, reading pauses until Resume, so a slow browser slows the
// upstream read.
//
// The completion-queue API, not the callback API: the UpstreamPoller's
// threads poll the connection and run the sink themselves, where the
// callback API hands every completion from the poller to another thread
// (a context switch per message, most of the proxy's cost on a stream).
//
// Thread safety: methods may be called from any thread; sink calls come
// from the poller's threads, one at a time per call.
#ifndef CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_
#define CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace codex_manager::web {

using Metadata = std::vector<std::pair<std::string, std::string>>;

class UpstreamSink {
 public:
  virtual ~UpstreamSink() = default;
  // The server sent its initial metadata (response headers) ahead of any
  // message; not called for a trailers-only response (OnUpstreamDone has
  // it all). gRPC may run this and the first OnUpstreamMessage on
  // different threads, so both carry the metadata.
  virtual void OnUpstreamHeaders(Metadata initial) = 0;
  // A response message (serialized, as gRPC received it: read it before
  // returning); with the first one, the server's initial metadata (empty
  // afterwards).
  virtual void OnUpstreamMessage(const grpc::ByteBuffer& message,
                                 Metadata initial) = 0;
  // Whether the call may read the next message now; when not, it pauses
  // until Resume. Called on gRPC threads; must not block.
  virtual bool CanTakeMore() = 0;
  // The call ended; `initial` and `trailing` are the server's metadata.
  virtual void OnUpstreamDone(const grpc::Status& status, Metadata initial,
                              Metadata trailing) = 0;
};

class UpstreamCall;

// The completion queue every UpstreamCall runs on, and the threads that
// poll it. Destroy it after every call has ended (CallRegistry::WaitIdle).
class UpstreamPoller {
 public:
  explicit UpstreamPoller(int threads);
  ~UpstreamPoller();
  UpstreamPoller(const UpstreamPoller&) = delete;
  UpstreamPoller& operator=(const UpstreamPoller&) = delete;
  grpc::CompletionQueue* cq() { return &cq_; }

 private:
  void Poll();

  grpc::CompletionQueue cq_;
  std::vector<std::thread> threads_;
};

// The calls in flight, so that shutdown can cancel them and wait until each
// has ended and released its sink before tearing down what sinks use (the
// HTTP sessions' sockets belong to the io_context).
class CallRegistry {
 public:
  // Cancels every call in flight (each then ends with CANCELLED).
  void CancelAll();
  // Waits until no call is in flight; false after `timeout`.
  bool WaitIdle(absl::Duration timeout);

 private:
  friend class UpstreamCall;
  void Add(const std::shared_ptr<UpstreamCall>& call);
  void Remove(UpstreamCall* call);

  absl::Mutex mu_;
  std::map<UpstreamCall*, std::weak_ptr<UpstreamCall>> calls_
      ABSL_GUARDED_BY(mu_);
};

class UpstreamCall {
 public:
  // `method` is the gRPC path, e.g.
  // "/codex_manager.v1.SessionService/GetSession". The call stays in
  // `registry` until it has ended and released `sink`.
  static std::shared_ptr<UpstreamCall> Start(
      grpc::GenericStub* stub, UpstreamPoller* poller, CallRegistry* registry,
      const std::string& method, std::unique_ptr<grpc::ClientContext> context,
      std::vector<std::string> requests, std::shared_ptr<UpstreamSink> sink);

  // Resumes reading if it paused and the sink can take more.
  void Resume();
  // Cancels the call (the upstream sees CANCELLED); safe after it ended.
  void Cancel();

 private:
  friend class UpstreamPoller;
  enum class OpKind { kInitialMetadata, kWrite, kWritesDone, kRead, kFinish };
  // A completion-queue tag: which operation of which call completed.
  struct Op {
    UpstreamCall* call;
    OpKind kind;
  };

  UpstreamCall(CallRegistry* registry,
               std::unique_ptr<grpc::ClientContext> context,
               std::vector<std::string> requests,
               std::shared_ptr<UpstreamSink> sink);
  // Runs on a poller thread.
  void OnCompletion(OpKind kind, bool ok);
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After the last completion: tells the sink and lets go of everything.
  void End();

  CallRegistry* const registry_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> stream_;
  std::vector<grpc::ByteBuffer> requests_;
  std::shared_ptr<UpstreamSink> sink_;
  Op metadata_op_{this, OpKind::kInitialMetadata};
  Op write_op_{this, OpKind::kWrite};
  Op writes_done_op_{this, OpKind::kWritesDone};
  Op read_op_{this, OpKind::kRead};
  Op finish_op_{this, OpKind::kFinish};
  // Keeps this alive until End.
  std::shared_ptr<UpstreamCall> self_;
  absl::Mutex mu_;
  size_t next_request_ ABSL_GUARDED_BY(mu_) = 0;
  bool first_message_ ABSL_GUARDED_BY(mu_) = true;
  // Written by the read in flight, read by its completion: never both.
  grpc::ByteBuffer response_;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  // Operations started and not completed yet.
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace codex_manager::web

#endif  // CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_
