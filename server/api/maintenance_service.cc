#include "api/maintenance_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "api/serve.h"
#include "api/status.h"
#include "auth/secrets.h"
#include "core/backup.h"

namespace codex_manager {
namespace {

constexpr size_t kMaxChunkBytes = 256 * 1024;  // maintenance.proto
// Room in a message for a chunk's fields besides its data.
constexpr size_t kChunkOverhead = 1024;
constexpr char kResource[] = "backup";

// One Backup call: its setup and each read of the copy run on the handler
// pool, one at a time (the next read starts when the last write is done);
// gRPC's threads only start writes. Whichever of OnDone and a running
// handler step comes last deletes the writer.
class BackupWriter final : public grpc::ServerWriteReactor<v1::BackupChunk> {
 public:
  BackupWriter(Store* store, Guard* guard, std::string data_dir,
               size_t chunk_bytes, std::atomic<bool>* busy,
               grpc::CallbackServerContext* context)
      : store_(store),
        guard_(guard),
        data_dir_(std::move(data_dir)),
        chunk_bytes_(chunk_bytes),
        busy_(busy),
        context_(context) {
    {
      absl::MutexLock lock(&mu_);
      in_handler_ = true;
    }
    guard_->RunHandler([this] { Setup(); });
  }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      if (!ok) {
        FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
        return;
      }
      if (finished_) return;
      in_handler_ = true;
    }
    guard_->RunHandler([this] { Step(); });
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    bool last;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      last = !in_handler_;
    }
    if (last) delete this;
  }

 private:
  ~BackupWriter() override { Release(); }

  // Frees the copy's space and lets the next backup start: as soon as the
  // call is ending, so that a client that starts another once this one has
  // ended is not refused. By whoever ends the call while no handler step
  // runs (the step is the only other user of file_).
  void Release() {
    file_.reset();
    if (holds_busy_) {
      holds_busy_ = false;
      busy_->store(false);
    }
  }

  // Admits the call, makes the copy and sends its first chunk.
  void Setup() {
    static const std::string kMethod =
        FullMethod<v1::MaintenanceService>("Backup");
    absl::StatusOr<Caller> caller = guard_->Admit(*context_, kMethod);
    guard_->NoteResource(*context_, kResource);
    absl::Status status = caller.status();
    if (status.ok()) {
      bool idle = false;
      if (busy_->compare_exchange_strong(idle, true)) {
        holds_busy_ = true;
        status = Copy(*caller);
      } else {
        status = absl::ResourceExhaustedError(
            "a backup is being made already; try again when it has ended");
      }
      if (!status.ok()) guard_->AuditFailure(*caller, kResource, status);
    }
    if (status.ok()) {
      Step();
      return;
    }
    bool gone;
    {
      absl::MutexLock lock(&mu_);
      in_handler_ = false;
      gone = done_;
      if (!gone) {
        FinishLocked(ToGrpcStatus(status));
        Release();  // FinishLocked did not if the call ended meanwhile
      }
    }
    if (gone) delete this;
  }

  absl::Status Copy(const Caller& caller) {
    absl::StatusOr<std::unique_ptr<BackupFile>> file =
        BackupFile::Make(store_, data_dir_);
    if (!file.ok()) return file.status();
    file_ = std::move(*file);
    AuditRecord record = AuditOk(caller, kResource, absl::Now());
    record.message =
        absl::StrCat("a copy of ", file_->total_bytes(),
                     " bytes: ", file_->contents().sessions,
                     file_->contents().sessions == 1 ? " session" : " sessions",
                     ", events through ", file_->contents().last_event_id);
    // Who took everything must be on record: no record, no backup.
    return store_->AppendAudit(record);
  }

  // Reads the next chunk and writes it (the last one with the SHA-256,
  // ending the call).
  void Step() {
    absl::StatusOr<std::string> data = file_->Read(chunk_bytes_);
    bool gone;
    {
      absl::MutexLock lock(&mu_);
      in_handler_ = false;
      gone = done_;
      if (!gone && finished_) Release();  // cancelled during the read
      if (!gone && !finished_) WriteLocked(std::move(data));
    }
    if (gone) delete this;
  }

  void WriteLocked(absl::StatusOr<std::string> data)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!data.ok()) {
      FinishLocked(ToGrpcStatus(data.status()));
      return;
    }
    const int64_t total = file_->total_bytes();
    if (data->empty() && sent_ < total) {
      FinishLocked(grpc::Status(grpc::StatusCode::INTERNAL,
                                "backup: the copy ended early"));
      return;
    }
    chunk_.Clear();
    if (sent_ == 0) {
      chunk_.set_total_bytes(total);
      chunk_.set_sessions(file_->contents().sessions);
      chunk_.set_last_event_id(file_->contents().last_event_id);
    }
    sent_ += static_cast<int64_t>(data->size());
    hash_.Update(*data);
    *chunk_.mutable_data() = std::move(*data);
    if (sent_ >= total) {
      chunk_.set_sha256(hash_.HexDigest());
      Release();
      finished_ = true;
      StartWriteAndFinish(&chunk_, grpc::WriteOptions(), grpc::Status::OK);
      return;
    }
    StartWrite(&chunk_);
  }

  // Ends the call; releases at once unless a handler step runs (which
  // then releases when it sees the call finished).
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (!in_handler_) Release();
    Finish(status);
  }

  Store* const store_;
  Guard* const guard_;
  const std::string data_dir_;
  const size_t chunk_bytes_;
  std::atomic<bool>* const busy_;
  grpc::CallbackServerContext* const context_;
  // Set by Setup, then used by one handler step at a time, or under mu_
  // while none runs (Release).
  bool holds_busy_ = false;
  std::unique_ptr<BackupFile> file_;
  Sha256 hash_;
  int64_t sent_ = 0;

  absl::Mutex mu_;
  v1::BackupChunk chunk_ ABSL_GUARDED_BY(mu_);  // the write in flight
  bool in_handler_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

MaintenanceServiceImpl::MaintenanceServiceImpl(Store* store, Guard* guard,
                                               std::string data_dir,
                                               int max_message_bytes)
    : store_(store),
      guard_(guard),
      data_dir_(std::move(data_dir)),
      chunk_bytes_(std::min(kMaxChunkBytes, static_cast<size_t>(std::max(
                                                max_message_bytes, 64 << 10)) -
                                                kChunkOverhead)) {}

grpc::ServerWriteReactor<v1::BackupChunk>* MaintenanceServiceImpl::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest*) {
  return new BackupWriter(store_, guard_, data_dir_, chunk_bytes_, &busy_,
                          context);
}

}  // namespace codex_manager
