// SessionService.ExportTranscript (sessions.proto): a ServerWriteReactor that
// replays one session's events from the EventLog (the same paced
// subscription StreamEvents uses: the next batch is asked for only when the
// last chunk is written) and writes them rendered as JSONL or Markdown
// (api/transcript_markdown.h) in chunks of at most 64 KiB, cut on UTF-8
// character boundaries. The replay ends at the newest event when the call
// began. Each export holds one of its caller's stream slots.
#ifndef CODEX_MANAGER_SERVER_API_TRANSCRIPT_EXPORT_H_
#define CODEX_MANAGER_SERVER_API_TRANSCRIPT_EXPORT_H_

#include <grpcpp/grpcpp.h>

#include "api/guard.h"
#include "codex_manager/v1/sessions.grpc.pb.h"
#include "core/event_log.h"
#include "core/session_manager.h"
#include "core/store.h"

namespace codex_manager {

// Largest TranscriptChunk.data, in bytes.
inline constexpr size_t kTranscriptChunkBytes = 64 * 1024;

grpc::ServerWriteReactor<v1::TranscriptChunk>* ExportTranscript(
    SessionManager* manager, EventLog* log, Store* store, Guard* guard,
    grpc::CallbackServerContext* context,
    const v1::ExportTranscriptRequest* request);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_TRANSCRIPT_EXPORT_H_
