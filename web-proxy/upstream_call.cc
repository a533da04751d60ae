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

UpstreamPoller::UpstreamPoller(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Poll(); });
}

UpstreamPoller::~UpstreamPoller() {
  cq_.Shutdown();
  for (std::thread& t : threads_) t.join();
}

void UpstreamPoller::Poll() {
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) {
    auto* op = static_cast<UpstreamCall::Op*>(tag);
    op->call->OnCompletion(op->kind, ok);
  }
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
    grpc::GenericStub* stub, UpstreamPoller* poller, CallRegistry* registry,
    const std::string& method, std::unique_ptr<grpc::ClientContext> context,
    std::vector<std::string> requests, std::shared_ptr<UpstreamSink> sink) {
  std::shared_ptr<UpstreamCall> call(new UpstreamCall(
      registry, std::move(context), std::move(requests), std::move(sink)));
  call->self_ = call;
  registry->Add(call);
  // Corked: the request metadata goes out with the first write (one
  // batch), and StartCall itself completes nothing.
  call->context_->set_initial_metadata_corked(true);
  call->stream_ =
      stub->PrepareCall(call->context_.get(), method, poller->cq());
  absl::MutexLock lock(&call->mu_);
  // The first write and the wait for the response head start at once. (If
  // the call cannot start, both fail, and the failed initial metadata asks
  // for the status.)
  call->stream_->StartCall(nullptr);
  call->outstanding_ = 1;
  call->stream_->ReadInitialMetadata(&call->metadata_op_);
  call->WriteNextLocked();
  return call;
}

void UpstreamCall::WriteNextLocked() {
  ++outstanding_;
  if (next_request_ < requests_.size()) {
    stream_->Write(requests_[next_request_++], &write_op_);
  } else {
    stream_->WritesDone(&writes_done_op_);
  }
}

void UpstreamCall::ReadLocked() {
  ++outstanding_;
  stream_->Read(&response_, &read_op_);
}

void UpstreamCall::FinishLocked() {
  if (finishing_) return;
  finishing_ = true;
  ++outstanding_;
  stream_->Finish(&status_, &finish_op_);
}

void UpstreamCall::OnCompletion(OpKind kind, bool ok) {
  // The sink first, outside the lock (it posts to the HTTP session's
  // strand, which may call Resume).
  if (ok && kind == OpKind::kInitialMetadata) {
    sink_->OnUpstreamHeaders(ToMetadata(context_->GetServerInitialMetadata()));
  } else if (ok && kind == OpKind::kRead) {
    bool first = false;
    {
      absl::MutexLock lock(&mu_);
      first = std::exchange(first_message_, false);
    }
    sink_->OnUpstreamMessage(
        response_,
        first ? ToMetadata(context_->GetServerInitialMetadata()) : Metadata{});
    response_.Clear();
  }
  bool end = false;
  {
    absl::MutexLock lock(&mu_);
    --outstanding_;
    switch (kind) {
      case OpKind::kWritesDone:
        break;
      case OpKind::kWrite:
        // A failed write: the read side sees the call end and finishes it.
        if (ok) WriteNextLocked();
        break;
      case OpKind::kInitialMetadata:
        if (!ok) {
          FinishLocked();
        } else {
          ReadLocked();
        }
        break;
      case OpKind::kRead:
        if (!ok) {  // end of stream or failure: the status says which
          FinishLocked();
        } else if (sink_->CanTakeMore()) {
          ReadLocked();
        } else {
          paused_ = true;
        }
        break;
      case OpKind::kFinish:
        done_ = true;
        break;
    }
    end = done_ && outstanding_ == 0;
  }
  if (end) End();
}

void UpstreamCall::Resume() {
  absl::MutexLock lock(&mu_);
  if (finishing_ || !paused_ || !sink_->CanTakeMore()) return;
  paused_ = false;
  ReadLocked();
}

void UpstreamCall::Cancel() {
  context_->TryCancel();
  // A paused call has no read in flight to see the cancellation: ask for
  // the status now.
  absl::MutexLock lock(&mu_);
  if (paused_) {
    paused_ = false;
    FinishLocked();
  }
}

void UpstreamCall::End() {
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    status = status_;
  }
  sink_->OnUpstreamDone(status,
                        ToMetadata(context_->GetServerInitialMetadata()),
                        ToMetadata(context_->GetServerTrailingMetadata()));
  sink_.reset();  // may delete the HTTP session
  registry_->Remove(this);
  self_.reset();  // may delete this
}

}  // namespace codex_manager::web
