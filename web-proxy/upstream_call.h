// UpstreamCall: one call to the upstream gRPC server through
// grpc::GenericStub, so the proxy forwards any method without knowing the
// API. It is a bidi-streaming reactor, which covers unary and
// server-streaming methods alike: it writes the request messages, half-
// closes, and reads responses back to back while the sink can take more;
// when it cannot, reading pauses until Resume, so a slow browser slows the
// upstream read.
//
// Thread safety: methods may be called from any thread; sink calls come
// from gRPC threads, one at a time.
#ifndef CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_
#define CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <string>
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

class UpstreamCall
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // `method` is the gRPC path, e.g.
  // "/codex_manager.v1.SessionService/GetSession". The call stays in
  // `registry` until it has ended and released `sink`.
  static std::shared_ptr<UpstreamCall> Start(
      grpc::GenericStub* stub, CallRegistry* registry,
      const std::string& method, std::unique_ptr<grpc::ClientContext> context,
      std::vector<std::string> requests, std::shared_ptr<UpstreamSink> sink);

  // Resumes reading if it paused and the sink can take more.
  void Resume();
  // Cancels the call (the upstream sees CANCELLED); safe after it ended.
  void Cancel();

  void OnReadInitialMetadataDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnWritesDoneDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  UpstreamCall(CallRegistry* registry,
               std::unique_ptr<grpc::ClientContext> context,
               std::vector<std::string> requests,
               std::shared_ptr<UpstreamSink> sink);
  void WriteNext();

  CallRegistry* const registry_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::vector<grpc::ByteBuffer> requests_;
  size_t next_request_ = 0;
  bool first_message_ = true;
  grpc::ByteBuffer response_;
  std::shared_ptr<UpstreamSink> sink_;
  // Keeps this alive until OnDone.
  std::shared_ptr<UpstreamCall> self_;
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace codex_manager::web

#endif  // CODEX_MANAGER_WEB_PROXY_UPSTREAM_CALL_H_
