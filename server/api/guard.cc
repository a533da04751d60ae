#include "api/guard.h"

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "api/status.h"
#include "common/log.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

std::string Metadata(const grpc::ServerContextBase& context,
                     absl::string_view key) {
  const auto& md = context.client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// Every value of `key`, joined with commas (HTTP's rule for a header sent
// more than once).
std::string AllMetadata(const grpc::ServerContextBase& context,
                        absl::string_view key) {
  std::string joined;
  const auto [begin, end] = context.client_metadata().equal_range(
      grpc::string_ref(key.data(), key.size()));
  for (auto it = begin; it != end; ++it) {
    if (!joined.empty()) joined += ",";
    joined.append(it->second.data(), it->second.size());
  }
  return joined;
}

AuditRecord RecordOf(const Caller& caller, absl::string_view resource_id,
                     const absl::Status& status, absl::Time time) {
  AuditRecord record;
  record.time = time;
  record.caller = caller;
  // As the client was told (api/status.h): a caller's garbage id or the
  // message quoting it is not stored whole.
  record.resource_id = SafeText(resource_id, kMaxEchoedIdBytes);
  record.code = static_cast<int>(status.code());
  record.message = SafeText(status.message(), kMaxStatusMessageBytes);
  return record;
}

}  // namespace

Guard::Guard(TokenRegistry* tokens, RateLimiter* limiter, Store* audit_store,
             Clock* clock, GuardOptions options)
    : tokens_(tokens),
      limiter_(limiter),
      audit_store_(audit_store),
      clock_(clock),
      options_(options) {}

void Guard::RunHandler(std::function<void()> handler) {
  if (options_.handler_pool == nullptr) {
    handler();
    return;
  }
  options_.handler_pool->Run(std::move(handler));
}

void Guard::Append(const AuditRecord& record) {
  if (absl::Status s = audit_store_->AppendAudit(record); !s.ok()) {
    Log(LogLevel::kError, "audit", {{"error", s.ToString()}});
  }
}

absl::Status Guard::Refuse(const grpc::ServerContextBase* context,
                           const Caller& caller, absl::Status status) {
  AuditRecord record = RecordOf(caller, "", status, clock_->Now());
  if (options_.refusal_sampler != nullptr &&
      !options_.refusal_sampler->Admit(record)) {
    // Counted in a summary: the call's access log line is folded too.
    if (context != nullptr) {
      absl::MutexLock lock(&mu_);
      notes_[context].folded = true;
    }
    return status;
  }
  Append(record);
  return status;
}

void Guard::FlushRefusals(bool all) {
  if (options_.refusal_sampler == nullptr) return;
  for (const AuditRecord& summary :
       options_.refusal_sampler->TakeSummaries(all)) {
    Append(summary);
    // The access log's account of the calls it left out.
    Log(LogLevel::kWarning, "refusals",
        {{"method", summary.caller.method},
         {"peer", summary.caller.peer},
         {"code", summary.code},
         {"message", summary.message}});
  }
}

absl::StatusOr<Caller> Guard::Admit(const grpc::ServerContextBase& context,
                                    absl::string_view method) {
  Caller caller;
  caller.method = std::string(method);
  caller.peer = context.peer();
  if (options_.trusted_proxies != nullptr) {
    caller.peer = options_.trusted_proxies->CallerPeer(
        caller.peer, AllMetadata(context, "x-forwarded-for"));
  }
  caller.request_id = Metadata(context, "x-request-id");
  const MethodRule* rule = FindMethodRule(method);
  if (rule == nullptr) {
    return Refuse(&context, caller,
                  absl::PermissionDeniedError(absl::StrCat(
                      method, " has no authorization rule; refused")));
  }
  if (rule->role == Role::kUnspecified) return caller;  // open (health)

  absl::StatusOr<TokenRecord> token =
      tokens_->Authenticate(Metadata(context, "authorization"));
  if (!token.ok()) return Refuse(&context, caller, token.status());
  caller.token_id = token->token_id;
  caller.token_name = token->name;
  caller.role = token->role;
  caller.token_expire_time = token->expire_time;
  {
    absl::MutexLock lock(&mu_);
    CallNote& note = notes_[&context];
    note.token_id = caller.token_id;
    note.token_name = caller.token_name;
  }
  if (caller.role < rule->role) {
    return Refuse(
        &context, caller,
        absl::PermissionDeniedError(absl::StrCat(
            method, " needs role ", RoleName(rule->role), "; token \"",
            caller.token_name, "\" has role ", RoleName(caller.role))));
  }
  if (rule->mutation) {
    if (std::optional<absl::Duration> wait = limiter_->Take(caller.token_id)) {
      absl::Status limited = absl::ResourceExhaustedError(absl::StrCat(
          "rate limit: at most ", limiter_->rate(), " changes a second, bursts "
          "of ", limiter_->burst(), " (--rate-limit, --rate-burst); retry in ",
          static_cast<int64_t>(std::ceil(absl::ToDoubleMilliseconds(*wait))),
          " ms"));
      SetRetryDelay(limited, *wait);
      return Refuse(&context, caller, std::move(limited));
    }
  }
  return caller;
}

void Guard::AuditFailure(const Caller& caller, absl::string_view resource_id,
                         const absl::Status& status) {
  const MethodRule* rule = FindMethodRule(caller.method);
  if (rule == nullptr || !rule->mutation || status.ok()) return;
  Append(RecordOf(caller, resource_id, status, clock_->Now()));
}

absl::StatusOr<std::unique_ptr<Guard::StreamSlot>> Guard::AcquireStream(
    const Caller& caller) {
  {
    absl::MutexLock lock(&mu_);
    int& open = open_streams_[caller.token_id];
    if (open < options_.max_streams_per_principal) {
      ++open;
      auto slot = std::unique_ptr<StreamSlot>(new StreamSlot(this, caller));
      slots_.insert(slot.get());
      return slot;
    }
  }
  absl::Status limited = absl::ResourceExhaustedError(absl::StrCat(
      "token \"", caller.token_name, "\" already has ",
      options_.max_streams_per_principal,
      " open event streams (--max-streams-per-principal); close one first"));
  return Refuse(nullptr, caller, std::move(limited));
}

Guard::StreamSlot::StreamSlot(Guard* guard, const Caller& caller)
    : guard_(guard),
      token_id_(caller.token_id),
      expire_time_(caller.token_expire_time) {}

absl::Status Guard::StreamSlot::Check() {
  const int64_t revocations = guard_->tokens_->revocations();
  if (revocations != revocations_seen_) {
    revocations_seen_ = revocations;
    revoked_ = guard_->tokens_->RevokedHere(token_id_);
  }
  if (revoked_) {
    return absl::UnauthenticatedError(
        "the token of this stream was revoked (codex-manager token revoke); "
        "it gets no more events");
  }
  if (expire_time_ && guard_->clock_->Now() >= *expire_time_) {
    return absl::UnauthenticatedError(
        "the token of this stream has expired; it gets no more events");
  }
  return absl::OkStatus();
}

void Guard::StreamSlot::OnTokenGone(std::function<void()> wake) {
  absl::MutexLock lock(&waker_->mu);
  waker_->wake = std::move(wake);
}

void Guard::WakeStreamsOfGoneTokens() {
  const absl::Time now = clock_->Now();
  const bool any_revoked = tokens_->revocations() > 0;
  std::vector<std::shared_ptr<StreamSlot::Waker>> gone;
  {
    absl::MutexLock lock(&mu_);
    for (StreamSlot* slot : slots_) {
      const bool expired = slot->expire_time_ && now >= *slot->expire_time_;
      if (expired || (any_revoked && tokens_->RevokedHere(slot->token_id_))) {
        gone.push_back(slot->waker_);
      }
    }
  }
  // Without mu_: a stream that ends runs the call interceptor, which takes
  // it (TakeNote).
  for (const std::shared_ptr<StreamSlot::Waker>& waker : gone) {
    absl::MutexLock lock(&waker->mu);
    if (waker->wake) waker->wake();
  }
}

Guard::StreamSlot::~StreamSlot() {
  {
    // Waits for a wake in progress; none comes after.
    absl::MutexLock lock(&waker_->mu);
    waker_->wake = nullptr;
  }
  absl::MutexLock lock(&guard_->mu_);
  guard_->slots_.erase(this);
  auto it = guard_->open_streams_.find(token_id_);
  if (it != guard_->open_streams_.end() && --it->second <= 0) {
    guard_->open_streams_.erase(it);
  }
}

void Guard::NoteResource(const grpc::ServerContextBase& context,
                         absl::string_view resource_id) {
  if (resource_id.empty()) return;
  std::string cut = SafeText(resource_id, kMaxEchoedIdBytes);
  absl::MutexLock lock(&mu_);
  notes_[&context].resource_id = std::move(cut);
}

Guard::CallNote Guard::TakeNote(const grpc::ServerContextBase* context) {
  absl::MutexLock lock(&mu_);
  auto it = notes_.find(context);
  if (it == notes_.end()) return CallNote();
  CallNote note = std::move(it->second);
  notes_.erase(it);
  return note;
}

}  // namespace codex_manager
