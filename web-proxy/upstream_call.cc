#include "upstream_call.h"

namespace codex_manager::web {
namespace {

Metadata ToMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& in) {
  Metadata out;
  for (const auto& [k, v] : in) {
    out.emplace_back(std::string(k.data(), k.size()),
                     std::string(v.data(), v.size()));
  }
  return out;
}

}  // namespace

void CallRegistry::Add(const std::shared_ptr<UpstreamCall>& call) {
  absl::MutexLock lock(&mu_);
  calls_.emplace(call.get(), call);
}

void CallRegistry::Remove(UpstreamCall* call) {
  absl::MutexLock lock(&mu_);
  calls_.erase(call);
}

void CallRegistry::CancelAll() {
  std::vector<std::shared_ptr<UpstreamCall>> live;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [raw, weak] : calls_) {
      if (auto call = weak.lock()) live.push_back(std::move(call));
    }
  }
  for (const auto& call : live) call->Cancel();
}

bool CallRegistry::WaitIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]()
                  ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.empty(); };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

UpstreamCall::UpstreamCall(CallRegistry* registry,
                           std::unique_ptr<grpc::ClientContext> context,
                           std::vector<std::string> requests,
                           std::shared_ptr<UpstreamSink> sink)
    : registry_(registry),
      context_(std::move(context)),
      sink_(std::move(sink)) {
  for (const std::string& r : requests) {
    grpc::Slice slice(r);
    requests_.emplace_back(&slice, 1);
  }
}

std::shared_ptr<UpstreamCall> UpstreamCall::Start(
    grpc::GenericStub* stub, CallRegistry* registry, const std::string& method,
    std::unique_ptr<grpc::ClientContext> context,
    std::vector<std::string> requests, std::shared_ptr<UpstreamSink> sink) {
  std::shared_ptr<UpstreamCall> call(new UpstreamCall(
      registry, std::move(context), std::move(requests), std::move(sink)));
  call->self_ = call;
  registry->Add(call);
  stub->PrepareBidiStreamingCall(call->context_.get(), method,
                                 grpc::StubOptions(), call.get());
  // A hold until the writes are done, so OnDone waits for them.
  call->AddHold();
  call->StartRead(&call->response_);
  call->WriteNext();
  call->StartCall();
  return call;
}

void UpstreamCall::WriteNext() {
  if (next_request_ < requests_.size()) {
    StartWrite(&requests_[next_request_++]);
  } else {
    StartWritesDone();
  }
}

void UpstreamCall::OnWriteDone(bool ok) {
  if (!ok) {
    RemoveHold();  // the call failed; OnDone says how
    return;
  }
  WriteNext();
}

void UpstreamCall::OnWritesDoneDone(bool /*ok*/) { RemoveHold(); }

void UpstreamCall::OnReadInitialMetadataDone(bool ok) {
  // Not ok: a trailers-only response or a failed call; OnDone follows.
  if (ok) sink_->OnUpstreamHeaders(ToMetadata(context_->GetServerInitialMetadata()));
}

void UpstreamCall::OnReadDone(bool ok) {
  if (!ok) return;  // end of stream or failure: OnDone follows
  Metadata initial;
  if (first_message_) {
    first_message_ = false;
    initial = ToMetadata(context_->GetServerInitialMetadata());
  }
  sink_->OnUpstreamMessage(response_, std::move(initial));
  response_.Clear();
  absl::MutexLock lock(&mu_);
  if (sink_->CanTakeMore()) {
    StartRead(&response_);
  } else {
    paused_ = true;
  }
}

void UpstreamCall::Resume() {
  absl::MutexLock lock(&mu_);
  if (done_ || !paused_ || !sink_->CanTakeMore()) return;
  paused_ = false;
  StartRead(&response_);
}

void UpstreamCall::Cancel() { context_->TryCancel(); }

void UpstreamCall::OnDone(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  sink_->OnUpstreamDone(status,
                        ToMetadata(context_->GetServerInitialMetadata()),
                        ToMetadata(context_->GetServerTrailingMetadata()));
  sink_.reset();  // may delete the HTTP session
  registry_->Remove(this);
  self_.reset();  // may delete this
}

}  // namespace codex_manager::web
