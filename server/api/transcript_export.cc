#include "api/transcript_export.h"

#include <google/protobuf/util/json_util.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "api/convert.h"
#include "api/event_encoding.h"
#include "api/id_fields.h"
#include "api/log_writer.h"
#include "api/status.h"
#include "api/transcript_markdown.h"
#include "common/status_macros.h"

namespace codex_manager {
namespace {

constexpr char kResolveApproval[] =
    "/codex_manager.v1.ApprovalService/ResolveApproval";

// Turns events into the export's text.
class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual void Start(std::string* out) = 0;
  virtual void Add(const v1::Event& event, std::string* out) = 0;
  virtual void Finish(std::string* out) = 0;
};

// The events as stored, as `codex-manager --json events` prints them.
class JsonLines final : public Renderer {
 public:
  void Start(std::string*) override {}
  void Add(const v1::Event& event, std::string* out) override {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string line;
    (void)google::protobuf::util::MessageToJsonString(event, &line, options);
    absl::StrAppend(out, line, "\n");
  }
  void Finish(std::string*) override {}
};

class Markdown final : public Renderer {
 public:
  Markdown(v1::Session session, std::map<std::string, std::string> deciders)
      : transcript_(std::move(session), std::move(deciders)) {}
  void Start(std::string* out) override {
    absl::StrAppend(out, transcript_.Header(absl::Now()));
  }
  void Add(const v1::Event& event, std::string* out) override {
    transcript_.Add(event, out);
  }
  void Finish(std::string* out) override { transcript_.Finish(out); }

 private:
  MarkdownTranscript transcript_;
};

// The longest prefix of `text` of at most `limit` bytes that does not end
// inside a UTF-8 character.
size_t Utf8Prefix(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text.size();
  size_t n = limit;
  // Step back over continuation bytes (10xxxxxx) to a character start.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return n > 0 ? n : limit;
}

class TranscriptWriter final : public LogWriter<v1::TranscriptChunk> {
 public:
  // Set up later (ExportTranscript): Begin, or End with an error.
  TranscriptWriter() = default;

  // Starts the export: renders the events `options` selects.
  void Begin(EventLog* log, EventLog::SubscribeOptions options,
             std::unique_ptr<Renderer> renderer, std::string content_type,
             std::string file_name, std::unique_ptr<Guard::StreamSlot> slot) {
    absl::MutexLock lock(&mu_);
    slot_ = std::move(slot);
    renderer_ = std::move(renderer);
    content_type_ = std::move(content_type);
    file_name_ = std::move(file_name);
    if (!BeginLocked()) return;
    renderer_->Start(&buffer_);
    if (options.until_event_id <= options.after_event_id) {
      end_ = true;  // nothing to replay
    } else {
      SubscribeLocked(log, std::move(options));
    }
    NextLocked();
  }

 private:
  void Deliver(std::vector<EventPtr> batch, EventLog::End end) override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    for (const EventPtr& e : batch) {
      renderer_->Add(EncodingOf(*e).proto(), &buffer_);
    }
    // Half a transcript must not look like a whole one: a drain ends the
    // call UNAVAILABLE.
    drained_ = drained_ || end == EventLog::End::kDrained;
    end_ = end_ || end == EventLog::End::kCaughtUp;
    asked_ = false;
    if (!writing_) NextLocked();
  }

  void NextLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || writing_) return;
    if (drained_) {
      FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                kShuttingDownMessage));
      return;
    }
    if (end_ && !rendered_all_) {
      renderer_->Finish(&buffer_);
      rendered_all_ = true;
    }
    const bool full = buffer_.size() >= kTranscriptChunkBytes;
    if (full || (rendered_all_ && (!buffer_.empty() || !wrote_any_))) {
      if (EndIfTokenGoneLocked()) return;
      const size_t n = Utf8Prefix(buffer_, kTranscriptChunkBytes);
      chunk_.Clear();
      chunk_.set_data(buffer_.substr(0, n));
      buffer_.erase(0, n);
      if (!wrote_any_) {
        chunk_.set_content_type(content_type_);
        chunk_.set_file_name(file_name_);
        wrote_any_ = true;
      }
      WriteLocked(&chunk_);
      return;
    }
    if (rendered_all_) {
      FinishLocked(grpc::Status::OK);
    } else if (sub_ && !asked_) {
      asked_ = true;
      sub_->Request();
    }
  }

  std::unique_ptr<Renderer> renderer_ ABSL_GUARDED_BY(mu_);
  std::string content_type_ ABSL_GUARDED_BY(mu_);
  std::string file_name_ ABSL_GUARDED_BY(mu_);
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  v1::TranscriptChunk chunk_ ABSL_GUARDED_BY(mu_);  // the write in flight
  bool asked_ ABSL_GUARDED_BY(mu_) = false;
  bool end_ ABSL_GUARDED_BY(mu_) = false;
  bool drained_ ABSL_GUARDED_BY(mu_) = false;
  bool rendered_all_ ABSL_GUARDED_BY(mu_) = false;
  bool wrote_any_ ABSL_GUARDED_BY(mu_) = false;
};

// Who decided each approval since `since` (token names, from the audit log
// of successful ResolveApproval calls), by approval id.
absl::StatusOr<std::map<std::string, std::string>> Deciders(Store* store,
                                                            absl::Time since) {
  std::map<std::string, std::string> out;
  AuditQuery query;
  query.method = kResolveApproval;
  query.start_time = since;
  PageRequest page;
  page.limit = 1000;
  for (;;) {
    absl::StatusOr<Page<AuditRecord>> records = store->ListAudit(query, page);
    if (!records.ok()) return records.status();
    for (const AuditRecord& r : records->items) {
      if (r.code == 0) out.emplace(r.resource_id, r.caller.token_name);
    }
    if (records->next == 0) return out;
    page.after = records->next;
  }
}

// ExportTranscript's setup, on the handler pool: admits the call, checks
// the request, and begins `writer`; or returns why not.
absl::Status StartExport(SessionManager* manager, EventLog* log, Store* store,
                         Guard* guard, grpc::CallbackServerContext* context,
                         const v1::ExportTranscriptRequest* request,
                         TranscriptWriter* writer) {
  static const std::string kMethod =
      absl::StrCat("/", v1::SessionService::service_full_name(),
                   "/ExportTranscript");
  absl::StatusOr<Caller> caller = guard->Admit(*context, kMethod);
  guard->NoteResource(*context, request->session_id());
  if (!caller.ok()) return caller.status();
  RETURN_IF_ERROR(CheckIdFields(*request));
  const v1::TranscriptFormat format = request->format();
  if (format != v1::TRANSCRIPT_FORMAT_UNSPECIFIED &&
      format != v1::TRANSCRIPT_FORMAT_JSONL &&
      format != v1::TRANSCRIPT_FORMAT_MARKDOWN) {
    return absl::InvalidArgumentError(
        absl::StrCat("format: unknown value ", static_cast<int>(format)));
  }
  absl::StatusOr<Session> session = manager->GetSession(request->session_id());
  if (!session.ok()) return session.status();
  if (session->purged_seq > 0) {
    return absl::OutOfRangeError(absl::StrCat(
        "session ", session->session_id, "'s events up to session_seq ",
        session->purged_seq, " were deleted by --retain-archived-days"));
  }
  EventLog::SubscribeOptions options;
  options.session_id = session->session_id;
  // What the caller saw happen before asking is in it (see StreamEvents).
  options.until_event_id = log->AssignedHead();

  std::unique_ptr<Renderer> renderer;
  std::string content_type, extension;
  if (format == v1::TRANSCRIPT_FORMAT_MARKDOWN) {
    absl::StatusOr<std::map<std::string, std::string>> deciders =
        Deciders(store, session->create_time);
    if (!deciders.ok()) return deciders.status();
    v1::Session proto;
    ToProto(*session, &proto);
    renderer = std::make_unique<Markdown>(std::move(proto),
                                          std::move(*deciders));
    content_type = "text/markdown; charset=utf-8";
    extension = ".md";
  } else {
    renderer = std::make_unique<JsonLines>();
    content_type = "application/x-ndjson";
    extension = ".jsonl";
  }
  absl::StatusOr<std::unique_ptr<Guard::StreamSlot>> slot =
      guard->AcquireStream(*caller);
  if (!slot.ok()) return slot.status();
  writer->Begin(log, std::move(options), std::move(renderer),
                std::move(content_type), session->session_id + extension,
                std::move(*slot));
  return absl::OkStatus();
}

}  // namespace

grpc::ServerWriteReactor<v1::TranscriptChunk>* ExportTranscript(
    SessionManager* manager, EventLog* log, Store* store, Guard* guard,
    grpc::CallbackServerContext* context,
    const v1::ExportTranscriptRequest* request) {
  auto* writer = new TranscriptWriter();
  guard->RunHandler([=] {
    absl::Status started =
        StartExport(manager, log, store, guard, context, request, writer);
    if (!started.ok()) writer->End(started);
  });
  return writer;
}

}  // namespace codex_manager
