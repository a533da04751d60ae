// Guard: the trust boundary at the API edge, in the order Kubernetes uses —
// authentication (bearer token), authorization (the role table of
// auth/method_rules.h), then limits (per-principal rate of mutations, open
// streams). Every refusal is written to the audit log — one by one, or past
// a source's share folded into a summary record (auth/refusal_sampler.h);
// so is every failed mutation (AuditFailure). Successful mutations are
// audited by the core, in the transaction of the change itself.
//
// Every RPC handler calls Admit first (api/serve.h); the call interceptor
// (api/call_interceptor.h) does the same for services we do not implement
// (server reflection).
//
// Thread safety: safe from any thread.
#ifndef CODEX_MANAGER_SERVER_API_GUARD_H_
#define CODEX_MANAGER_SERVER_API_GUARD_H_

#include <grpcpp/server_context.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "auth/forwarded_for.h"
#include "auth/method_rules.h"
#include "auth/rate_limiter.h"
#include "auth/refusal_sampler.h"
#include "auth/token_registry.h"
#include "common/worker_pool.h"
#include "core/clock.h"
#include "core/store.h"

namespace codex_manager {

struct GuardOptions {
  // Most streams (StreamEvents, StreamEventBatches, ExportTranscript) one
  // token may have open at once.
  int max_streams_per_principal = 64;
  // Where handler bodies run (RunHandler); nullptr: on the calling thread.
  WorkerPool* handler_pool = nullptr;
  // Which refusals get a record of their own; nullptr: every one.
  RefusalSampler* refusal_sampler = nullptr;
  // Proxies whose `x-forwarded-for` names the caller (Caller.peer);
  // nullptr: none.
  const TrustedProxies* trusted_proxies = nullptr;
};

class Guard {
 public:
  Guard(TokenRegistry* tokens, RateLimiter* limiter, Store* audit_store,
        Clock* clock, GuardOptions options);

  // The caller of `method`, or: UNAUTHENTICATED (no valid token),
  // PERMISSION_DENIED naming the role needed (or for a method with no rule),
  // RESOURCE_EXHAUSTED naming --rate-limit, with a google.rpc.RetryInfo
  // detail, for a mutation over the caller's rate. Refusals are audited.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase& context,
                               absl::string_view method);

  // Runs `handler` (a call's admission and body, api/serve.h) on the
  // handler pool, off gRPC's callback threads.
  void RunHandler(std::function<void()> handler);

  // Audits a call that was admitted but failed, when its method is a
  // mutation (nothing changed, so the record stands alone).
  void AuditFailure(const Caller& caller, absl::string_view resource_id,
                    const absl::Status& status);

  // What the log line of a call says besides its method and status: who
  // made it (once admitted) and what it was about (a session, turn,
  // approval or token id). Noted by Admit and the handlers, taken by the
  // call interceptor when the call ends (api/call_interceptor.h).
  struct CallNote {
    std::string token_id;
    std::string token_name;
    std::string resource_id;
    // A refusal the sampler counted instead of recording: its access log
    // line is left out too (at debug level), and FlushRefusals logs one
    // line per summary instead.
    bool folded = false;
  };
  void NoteResource(const grpc::ServerContextBase& context,
                    absl::string_view resource_id);
  // The call's note, removed (an empty note when there is none).
  CallNote TakeNote(const grpc::ServerContextBase* context);

  // Holds one of a principal's stream slots until destroyed, and says
  // whether its token is still good. Check is not thread-safe: one stream
  // calls it, under its own lock.
  class StreamSlot {
   public:
    ~StreamSlot();
    // OK, or UNAUTHENTICATED once the token was revoked (through this
    // server) or has expired: the stream checks before each message it
    // writes and then ends, so no event reaches a token after that. While
    // nothing was revoked: one atomic read, and a clock read for a token
    // that expires.
    absl::Status Check();
    // What WakeStreamsOfGoneTokens calls (on its thread, holding only the
    // slot's own waker lock) once this stream's token is gone, so that an
    // idle stream checks now rather than at its next event. Set before the
    // stream starts, never while holding the stream's lock; never called
    // once the slot's destructor has begun.
    void OnTokenGone(std::function<void()> wake);

   private:
    friend class Guard;
    // The wake callback, shared with a pass of WakeStreamsOfGoneTokens
    // that may outlast the slot: the slot's destructor empties it.
    struct Waker {
      absl::Mutex mu;
      std::function<void()> wake ABSL_GUARDED_BY(mu);
    };
    StreamSlot(Guard* guard, const Caller& caller);
    Guard* const guard_;
    const std::string token_id_;
    const std::optional<absl::Time> expire_time_;
    // The revocation count RevokedHere was last asked at; -1 until the
    // first Check, which always asks (the token may have been revoked
    // between the call's admission and its slot).
    int64_t revocations_seen_ = -1;
    bool revoked_ = false;
    const std::shared_ptr<Waker> waker_ = std::make_shared<Waker>();
  };
  // A stream slot for `caller`, or RESOURCE_EXHAUSTED naming
  // --max-streams-per-principal (audited).
  absl::StatusOr<std::unique_ptr<StreamSlot>> AcquireStream(
      const Caller& caller);

  // Wakes every open stream whose token was revoked through this server
  // or has expired (StreamSlot::OnTokenGone), so it ends within this
  // call's period even when no event comes. Called once a second.
  void WakeStreamsOfGoneTokens();

  // Appends the summary records of refusals the sampler counted instead of
  // recording, and logs a `refusals` line for each: those due, or all of
  // them when `all` (at shutdown). Called once a second.
  void FlushRefusals(bool all);

 private:
  // Records a refused call (it changed nothing), unless the sampler counts
  // it instead, and then notes the call (`context`, when there is one) as
  // folded; returns `status`.
  absl::Status Refuse(const grpc::ServerContextBase* context,
                      const Caller& caller, absl::Status status);
  // Appends `record` to the audit log (an error is logged: the call's
  // outcome stands).
  void Append(const AuditRecord& record);

  TokenRegistry* const tokens_;
  RateLimiter* const limiter_;
  Store* const audit_store_;
  Clock* const clock_;
  const GuardOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> open_streams_ ABSL_GUARDED_BY(mu_);
  // Every slot held; a slot leaves in its destructor (under mu_), so one
  // found here is alive while mu_ is held.
  absl::flat_hash_set<StreamSlot*> slots_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const grpc::ServerContextBase*, CallNote> notes_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_GUARD_H_
