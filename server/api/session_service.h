// SessionService on the gRPC callback API: a thin adapter over
// SessionManager (protos/codex_manager/v1/sessions.proto).
#ifndef CODEX_MANAGER_SERVER_API_SESSION_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_SESSION_SERVICE_H_

#include "codex_manager/v1/sessions.grpc.pb.h"
#include "api/guard.h"
#include "auth/admission.h"
#include "core/codex_catalog.h"
#include "core/event_log.h"
#include "core/session_manager.h"
#include "core/store.h"

namespace codex_manager {

class SessionServiceImpl final : public v1::SessionService::CallbackService {
 public:
  SessionServiceImpl(SessionManager* manager, EventLog* log, Store* store,
                     Guard* guard, const Admission* admission,
                     CodexCatalog* catalog)
      : manager_(manager),
        log_(log),
        store_(store),
        guard_(guard),
        admission_(admission),
        catalog_(catalog) {}

  grpc::ServerUnaryReactor* CreateSession(
      grpc::CallbackServerContext* context,
      const v1::CreateSessionRequest* request, v1::Session* response) override;
  grpc::ServerUnaryReactor* GetSession(grpc::CallbackServerContext* context,
                                       const v1::GetSessionRequest* request,
                                       v1::Session* response) override;
  grpc::ServerUnaryReactor* ListSessions(
      grpc::CallbackServerContext* context,
      const v1::ListSessionsRequest* request,
      v1::ListSessionsResponse* response) override;
  grpc::ServerUnaryReactor* StopSession(grpc::CallbackServerContext* context,
                                        const v1::StopSessionRequest* request,
                                        v1::Session* response) override;
  grpc::ServerUnaryReactor* ResumeSession(
      grpc::CallbackServerContext* context,
      const v1::ResumeSessionRequest* request, v1::Session* response) override;
  grpc::ServerUnaryReactor* UpdateSession(
      grpc::CallbackServerContext* context,
      const v1::UpdateSessionRequest* request, v1::Session* response) override;
  // Finishes when Codex answered (not on the handler thread).
  grpc::ServerUnaryReactor* CompactSession(
      grpc::CallbackServerContext* context,
      const v1::CompactSessionRequest* request, v1::Session* response) override;
  // Both finish when Codex answered and the goal committed.
  grpc::ServerUnaryReactor* SetSessionGoal(
      grpc::CallbackServerContext* context,
      const v1::SetSessionGoalRequest* request, v1::Session* response) override;
  grpc::ServerUnaryReactor* ClearSessionGoal(
      grpc::CallbackServerContext* context,
      const v1::ClearSessionGoalRequest* request,
      v1::Session* response) override;
  // Finishes when Codex answered and the revert committed.
  grpc::ServerUnaryReactor* RevertSession(
      grpc::CallbackServerContext* context,
      const v1::RevertSessionRequest* request,
      v1::RevertSessionResponse* response) override;
  // Both finish when Codex answered (not on the handler thread).
  grpc::ServerUnaryReactor* ListBackgroundTerminals(
      grpc::CallbackServerContext* context,
      const v1::ListBackgroundTerminalsRequest* request,
      v1::ListBackgroundTerminalsResponse* response) override;
  grpc::ServerUnaryReactor* TerminateBackgroundTerminals(
      grpc::CallbackServerContext* context,
      const v1::TerminateBackgroundTerminalsRequest* request,
      v1::TerminateBackgroundTerminalsResponse* response) override;
  // Finishes when Codex answered: the session's runtime, or a one-off one
  // when it is not live.
  grpc::ServerUnaryReactor* SearchFiles(
      grpc::CallbackServerContext* context,
      const v1::SearchFilesRequest* request,
      v1::SearchFilesResponse* response) override;
  // As SearchFiles: Codex `skills/list` for the session's cwd.
  grpc::ServerUnaryReactor* ListSkills(
      grpc::CallbackServerContext* context,
      const v1::ListSkillsRequest* request,
      v1::ListSkillsResponse* response) override;
  grpc::ServerUnaryReactor* SetSkillEnabled(
      grpc::CallbackServerContext* context,
      const v1::SetSkillEnabledRequest* request, v1::Skill* response) override;
  // As SearchFiles: Codex `mcpServerStatus/list`, in the session's thread
  // when it is live.
  grpc::ServerUnaryReactor* ListMcpServers(
      grpc::CallbackServerContext* context,
      const v1::ListMcpServersRequest* request,
      v1::ListMcpServersResponse* response) override;
  // Both finish once Codex answered (thread/read, thread/fork in a one-off
  // runtime) and the session is created, not on the handler thread.
  grpc::ServerUnaryReactor* ImportThread(
      grpc::CallbackServerContext* context,
      const v1::ImportThreadRequest* request, v1::Session* response) override;
  grpc::ServerUnaryReactor* ForkSession(grpc::CallbackServerContext* context,
                                        const v1::ForkSessionRequest* request,
                                        v1::Session* response) override;
  grpc::ServerUnaryReactor* UnarchiveSession(
      grpc::CallbackServerContext* context,
      const v1::UnarchiveSessionRequest* request,
      v1::Session* response) override;
  grpc::ServerUnaryReactor* ArchiveSession(
      grpc::CallbackServerContext* context,
      const v1::ArchiveSessionRequest* request, v1::Session* response) override;
  // api/transcript_export.h
  grpc::ServerWriteReactor<v1::TranscriptChunk>* ExportTranscript(
      grpc::CallbackServerContext* context,
      const v1::ExportTranscriptRequest* request) override;

 private:
  // A request AskCodexForSession could not send to a live runtime, sent
  // to a one-off one of the catalog once the session is admitted again
  // (Readmit).
  void AskOffline(const std::string& session_id,
                  SessionManager::CodexRequest request,
                  SessionManager::CodexAnswer done);

  SessionManager* const manager_;
  EventLog* const log_;
  Store* const store_;
  Guard* const guard_;
  const Admission* const admission_;
  CodexCatalog* const catalog_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_SESSION_SERVICE_H_
