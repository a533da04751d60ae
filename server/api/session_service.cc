#include "api/session_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "api/readmit.h"
#include "api/request_digest.h"
#include "api/serve.h"
#include "api/transcript_export.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "core/file_search.h"
#include "core/fork_point.h"
#include "core/idempotency.h"
#include "core/mcp_servers.h"
#include "core/request_validation.h"
#include "core/skills.h"

namespace codex_manager {
namespace {

// Longest title made from a thread's name or preview, and longest model
// name taken from a thread, in bytes (CreateSession's limits).
constexpr size_t kMaxDerivedTitleBytes = 200;

// Codex thread ids are UUIDs; anything else is refused before Codex sees it.
absl::Status ValidateThreadId(const std::string& thread_id) {
  if (thread_id.empty()) return absl::InvalidArgumentError("thread_id: required");
  const bool ok = thread_id.size() <= 64 &&
                  std::all_of(thread_id.begin(), thread_id.end(), [](char c) {
                    return absl::ascii_isalnum(c) || c == '-' || c == '_';
                  });
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "thread_id: \"", SafeText(thread_id, 64),
        "\" is not a Codex thread id"));
  }
  return absl::OkStatus();
}

// A title from `text`'s first line, cut on a character boundary.
std::string TitleFrom(const std::string& text) {
  return SafeText(text.substr(0, text.find('\n')), kMaxDerivedTitleBytes);
}

}  // namespace

grpc::ServerUnaryReactor* SessionServiceImpl::CreateSession(
    grpc::CallbackServerContext* context,
    const v1::CreateSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("CreateSession");
  return Serve(
      guard_, context, kMethod, *request, "", [=, this](const Caller& unkeyed) {
        const Caller caller =
            WithRequestDigest(unkeyed, *request, request->request_id());
        // Admission: where the agent may work, and how freely.
        ASSIGN_OR_RETURN(std::string cwd, admission_->AdmitCwd(request->cwd()));
        RETURN_IF_ERROR(
            admission_->AdmitSandbox(request->sandbox(), caller.role));
        CreateSessionParams params;
        params.cwd = std::move(cwd);
        params.model = request->model();
        params.approval_policy = request->approval_policy();
        params.sandbox = request->sandbox();
        params.title = request->title();
        params.developer_instructions = request->developer_instructions();
        params.model_provider = request->model_provider();
        params.effort = request->effort();
        params.service_tier = request->service_tier();
        params.request_id = request->request_id();
        return Fill(manager_->CreateSession(params, caller), response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::GetSession(
    grpc::CallbackServerContext* context, const v1::GetSessionRequest* request,
    v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("GetSession");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller&) {
                 return Fill(manager_->GetSession(request->session_id()),
                             response);
               });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSessions(
    grpc::CallbackServerContext* context,
    const v1::ListSessionsRequest* request,
    v1::ListSessionsResponse* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ListSessions");
  return Serve(
      guard_, context, kMethod, *request, "", [=, this](const Caller&) {
        ASSIGN_OR_RETURN(
            PageRequest page,
            ToPageRequest(request->page_size(), request->page_token()));
        SessionQuery query;
        query.include_archived = request->include_archived();
        query.search = request->search();
        query.cwd = request->cwd();
        for (int state : request->states()) {
          query.states.push_back(static_cast<SessionState>(state));
        }
        ASSIGN_OR_RETURN(Page<Session> result,
                         manager_->ListSessions(query, page));
        for (const Session& s : result.items)
          ToProto(s, response->add_sessions());
        response->set_next_page_token(EncodePageToken(result.next));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::StopSession(
    grpc::CallbackServerContext* context, const v1::StopSessionRequest* request,
    v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("StopSession");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller& caller) {
                 return Fill(manager_->StopSession(request->session_id(),
                                                   request->force(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ResumeSession(
    grpc::CallbackServerContext* context,
    const v1::ResumeSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ResumeSession");
  return Serve(
      guard_, context, kMethod, *request, request->session_id(),
      [=, this](const Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(Readmit(*manager_, *admission_, request->session_id(),
                                caller.role));
        return Fill(manager_->ResumeSession(request->session_id(), caller),
                    response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::UpdateSession(
    grpc::CallbackServerContext* context,
    const v1::UpdateSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("UpdateSession");
  return Serve(
      guard_, context, kMethod, *request, request->session_id(),
      [=, this](const Caller& caller) -> absl::Status {
        SessionUpdate update;
        if (request->has_title()) update.title = request->title();
        if (request->has_model()) update.model = request->model();
        if (request->has_effort()) update.effort = request->effort();
        if (request->has_service_tier()) {
          update.service_tier = request->service_tier();
        }
        if (request->has_approval_policy()) {
          update.approval_policy = request->approval_policy();
        }
        if (request->has_sandbox()) {
          RETURN_IF_ERROR(
              admission_->AdmitSandbox(request->sandbox(), caller.role));
          update.sandbox = request->sandbox();
        }
        return Fill(manager_->UpdateSession(request->session_id(), update,
                                            caller),
                    response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ImportThread(
    grpc::CallbackServerContext* context,
    const v1::ImportThreadRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ImportThread");
  CreateSessionParams params;
  params.thread_id = request->thread_id();
  params.title = request->title();
  params.request_id = request->request_id();
  params.request_method = "ImportThread";
  return ServeLater<Session>(
      guard_, context, kMethod, *request, request->thread_id(), response,
      [=, this](const Caller& unkeyed, auto finish) {
        const Caller caller =
            WithRequestDigest(unkeyed, *request, request->request_id());
        if (absl::Status s = ValidateThreadId(params.thread_id); !s.ok()) {
          return finish(s);
        }
        catalog_->ReadThread(
            params.thread_id,
            [this, params, caller, finish](absl::StatusOr<CodexThread> thread) mutable {
              if (!thread.ok()) return finish(thread.status());
              // Admitted as CreateSession's cwd is.
              absl::StatusOr<std::string> cwd = admission_->AdmitCwd(thread->cwd);
              if (!cwd.ok()) {
                return finish(absl::Status(
                    cwd.status().code(),
                    absl::StrCat("codex thread ", params.thread_id,
                                 " works in a folder this server cannot use: ",
                                 cwd.status().message())));
              }
              params.cwd = *std::move(cwd);
              // As Codex recorded it, bounded as CreateSession's model is.
              params.model = SafeText(thread->model, kMaxDerivedTitleBytes);
              // Its provider, which a fork of it keeps (Codex's default
              // is left to Codex when the id is not one we pass on).
              if (ValidateModelProvider(thread->model_provider).ok()) {
                params.model_provider = thread->model_provider;
              }
              if (params.title.empty()) {
                params.title = TitleFrom(
                    thread->name.empty() ? thread->preview : thread->name);
              }
              params.history = std::move(thread->history);
              finish(manager_->CreateSession(params, caller));
            });
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ForkSession(
    grpc::CallbackServerContext* context,
    const v1::ForkSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ForkSession");
  const std::string source_id = request->session_id();
  CreateSessionParams params;
  params.title = request->title();
  params.request_id = request->request_id();
  params.request_method = "ForkSession";
  const bool through = !request->through_turn_id().empty();
  const std::string at_turn_id =
      through ? request->through_turn_id() : request->before_turn_id();
  return ServeLater<Session>(
      guard_, context, kMethod, *request, source_id, response,
      [=, this](const Caller& unkeyed, auto finish) mutable {
        const Caller caller =
            WithRequestDigest(unkeyed, *request, request->request_id());
        if (through && !request->before_turn_id().empty()) {
          return finish(absl::InvalidArgumentError(
              "before_turn_id: set at most one of through_turn_id and "
              "before_turn_id"));
        }
        absl::StatusOr<Session> source = manager_->GetSession(source_id);
        if (!source.ok()) return finish(source.status());
        if (!params.request_id.empty()) {
          // A retry gets its session without a second Codex fork.
          absl::StatusOr<std::optional<std::string>> existing = RepeatedRequest(
              *store_, "ForkSession", params.request_id, caller.request_digest);
          if (!existing.ok()) return finish(existing.status());
          if (*existing) return finish(manager_->GetSession(**existing));
        }
        if (source->state == SessionState::kArchived) {
          return finish(absl::FailedPreconditionError(absl::StrCat(
              "session ", source_id, " is ARCHIVED; it cannot be forked")));
        }
        if (source->thread_id.empty()) {
          return finish(absl::FailedPreconditionError(absl::StrCat(
              "session ", source_id,
              " has no Codex thread yet (it never started); nothing to fork")));
        }
        // The fork works where the source does, as freely: admitted again
        // for this caller.
        absl::StatusOr<std::string> cwd = admission_->AdmitCwd(source->cwd);
        if (!cwd.ok()) return finish(cwd.status());
        if (absl::Status s = admission_->AdmitSandbox(source->sandbox, caller.role);
            !s.ok()) {
          return finish(s);
        }
        params.cwd = *std::move(cwd);
        params.model = source->model;
        params.effort = source->effort;
        params.service_tier = source->service_tier;
        params.approval_policy = source->approval_policy;
        params.sandbox = source->sandbox;
        // Its thread carries them on (Codex keeps them in the fork).
        params.developer_instructions = source->developer_instructions;
        params.model_provider = source->model_provider;
        if (params.title.empty()) {
          params.title = TitleFrom(absl::StrCat(
              "Fork of ",
              source->title.empty() ? source->session_id : source->title));
        }
        ForkPoint point;  // the whole history
        if (!at_turn_id.empty()) {
          absl::StatusOr<Turn> turn = manager_->GetTurn(at_turn_id);
          if (!turn.ok()) return finish(turn.status());
          absl::StatusOr<ForkPoint> at = ForkPointAt(*turn, source_id, through);
          if (!at.ok()) return finish(at.status());
          point = *std::move(at);
        }
        // The fork's thread is on the source's provider: the one it asked
        // for, else the one Codex said it runs on (Codex would fork onto its
        // configuration's default, which may have changed since).
        std::string fork_provider = source->model_provider;
        if (fork_provider.empty() &&
            ValidateModelProvider(source->codex_settings.model_provider).ok()) {
          fork_provider = source->codex_settings.model_provider;
        }
        catalog_->ForkThread(
            source->thread_id, point, fork_provider,
            [this, params, caller, finish,
             source_id](absl::StatusOr<CodexThread> fork) mutable {
              if (!fork.ok() && absl::StrContains(fork.status().message(),
                                                  "no rollout found")) {
                // Codex 0.171 saves a thread at its first turn (or when
                // named): the session exists, its thread is not on disk.
                return finish(absl::FailedPreconditionError(absl::StrCat(
                    "session ", source_id,
                    " has no turn yet, and Codex saves a thread only at its "
                    "first turn: nothing to fork")));
              }
              if (!fork.ok()) return finish(fork.status());
              params.thread_id = fork->thread_id;
              params.history = std::move(fork->history);
              finish(manager_->CreateSession(params, caller));
            });
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::CompactSession(
    grpc::CallbackServerContext* context,
    const v1::CompactSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("CompactSession");
  return ServeLater<Session>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller& caller, auto finish) {
        manager_->CompactSession(request->session_id(), caller,
                                 std::move(finish));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::SetSessionGoal(
    grpc::CallbackServerContext* context,
    const v1::SetSessionGoalRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("SetSessionGoal");
  return ServeLater<Session>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller& caller, auto finish) {
        GoalChange change;
        if (request->has_objective()) change.objective = request->objective();
        change.status = static_cast<GoalStatus>(request->status());
        if (request->has_token_budget()) {
          change.token_budget = request->token_budget();
        }
        // An objective (or a goal made active) has Codex work toward it in
        // turns of its own: admitted as a turn is.
        if (change.objective || change.status == GoalStatus::kActive) {
          if (absl::Status s = ReadmitRunning(
                  *manager_, *admission_, request->session_id(), caller.role);
              !s.ok()) {
            return finish(s);
          }
        }
        manager_->SetSessionGoal(request->session_id(), change, caller,
                                 std::move(finish));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ClearSessionGoal(
    grpc::CallbackServerContext* context,
    const v1::ClearSessionGoalRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ClearSessionGoal");
  return ServeLater<Session>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller& caller, auto finish) {
        manager_->ClearSessionGoal(request->session_id(), caller,
                                   std::move(finish));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::RevertSession(
    grpc::CallbackServerContext* context,
    const v1::RevertSessionRequest* request,
    v1::RevertSessionResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("RevertSession");
  return ServeLater<RevertResult>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller& caller, auto finish) {
        manager_->RevertSession(request->session_id(),
                                request->before_turn_id(), caller,
                                std::move(finish));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListBackgroundTerminals(
    grpc::CallbackServerContext* context,
    const v1::ListBackgroundTerminalsRequest* request,
    v1::ListBackgroundTerminalsResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ListBackgroundTerminals");
  return ServeLater<std::vector<BackgroundTerminal>>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller&, auto finish) {
        manager_->ListBackgroundTerminals(request->session_id(),
                                          std::move(finish));
      });
}

namespace {

// Codex's answer about a session (AskCodexForSession), read by
// `read` for `finish`.
template <typename T, typename Read>
SessionManager::CodexAnswer ReadAnswer(
    Read read, std::function<void(absl::StatusOr<T>)> finish) {
  return [read = std::move(read),
          finish = std::move(finish)](absl::StatusOr<nlohmann::json> result) {
    if (!result.ok()) return finish(result.status());
    finish(read(*result));
  };
}

}  // namespace

void SessionServiceImpl::AskOffline(const std::string& session_id,
                                    SessionManager::CodexRequest request,
                                    SessionManager::CodexAnswer done) {
  // A one-off Codex works in the session's folder: admitted again.
  if (absl::Status ok =
          Readmit(*manager_, *admission_, session_id, std::nullopt);
      !ok.ok()) {
    return done(ok);
  }
  catalog_->Request(request.method, std::move(request.params), std::move(done));
}

grpc::ServerUnaryReactor* SessionServiceImpl::SearchFiles(
    grpc::CallbackServerContext* context, const v1::SearchFilesRequest* request,
    v1::SearchFilesResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("SearchFiles");
  return ServeLater<std::vector<FileMatch>>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller&, auto finish) {
        if (absl::Status ok =
                CheckFileSearch(request->query(), request->max_results());
            !ok.ok()) {
          return finish(ok);
        }
        const int max_results = request->max_results() == 0
                                    ? kDefaultFileMatches
                                    : request->max_results();
        const std::string& query = request->query();
        if (query.empty()) {  // finds nothing, in a session that exists
          absl::StatusOr<Session> session =
              manager_->GetSession(request->session_id());
          if (!session.ok()) return finish(session.status());
          return finish(std::vector<FileMatch>{});
        }
        manager_->AskCodexForSession(
            request->session_id(),
            [&query](const std::string& cwd) {
              return SessionManager::CodexRequest{"fuzzyFileSearch",
                                                  FileSearchParams(query, cwd)};
            },
            [this, id = request->session_id()](auto asked, auto done) {
              AskOffline(id, std::move(asked), std::move(done));
            },
            ReadAnswer<std::vector<FileMatch>>(
                [max_results](const nlohmann::json& result) {
                  return FileMatchesOf(result, max_results);
                },
                std::move(finish)));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListSkills(
    grpc::CallbackServerContext* context, const v1::ListSkillsRequest* request,
    v1::ListSkillsResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ListSkills");
  return ServeLater<SkillList>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller&, auto finish) {
        const bool force_reload = request->force_reload();
        manager_->AskCodexForSession(
            request->session_id(),
            [force_reload](const std::string& cwd) {
              return SessionManager::CodexRequest{
                  "skills/list", SkillsListParams(cwd, force_reload)};
            },
            [this, id = request->session_id()](auto asked, auto done) {
              AskOffline(id, std::move(asked), std::move(done));
            },
            ReadAnswer<SkillList>(&SkillsOf, std::move(finish)));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::SetSkillEnabled(
    grpc::CallbackServerContext* context,
    const v1::SetSkillEnabledRequest* request, v1::Skill* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("SetSkillEnabled");
  const std::string session_id = request->session_id();
  const std::string path = request->path();
  const bool enabled = request->enabled();
  const std::string resource = SafeText(path, 512);
  return ServeLater<Skill>(
      guard_, context, kMethod, *request, resource, response,
      [=, this](const Caller& caller, auto finish) {
        if (absl::Status ok = ValidateSkillPath(path); !ok.ok()) {
          return finish(ok);
        }
        auto offline = [this, session_id](auto asked, auto done) {
          AskOffline(session_id, std::move(asked), std::move(done));
        };
        // Only a skill Codex lists for the folder: Codex would write a rule
        // for any path.
        manager_->AskCodexForSession(
            session_id,
            [](const std::string& cwd) {
              return SessionManager::CodexRequest{"skills/list",
                                                  SkillsListParams(cwd, false)};
            },
            offline,
            [=, this](absl::StatusOr<nlohmann::json> listed) {
              if (!listed.ok()) return finish(listed.status());
              const SkillList skills = SkillsOf(*listed);
              const Skill* found = FindSkill(skills, path);
              if (found == nullptr) {
                return finish(absl::NotFoundError(
                    absl::StrCat("path: no skill Codex offers in session ",
                                 session_id, "'s folder has its SKILL.md at ",
                                 resource, " (ListSkills names them)")));
              }
              manager_->AskCodexForSession(
                  session_id,
                  [path, enabled](const std::string&) {
                    return SessionManager::CodexRequest{
                        "skills/config/write",
                        SkillsConfigWriteParams(path, enabled)};
                  },
                  offline,
                  [this, finish, caller, resource, skill = *found](
                      absl::StatusOr<nlohmann::json> written) mutable {
                    if (!written.ok()) return finish(written.status());
                    std::optional<bool> now = EffectiveEnabledOf(*written);
                    if (!now) {
                      return finish(absl::UnavailableError(
                          "Codex answered skills/config/write without "
                          "effectiveEnabled"));
                    }
                    // Written to Codex's config: recorded whatever the
                    // store says.
                    if (absl::Status saved = store_->AppendAudit(
                            AuditOk(caller, resource, absl::Now()));
                        !saved.ok()) {
                      Log(LogLevel::kError, "audit record not written",
                          {{"method", "SetSkillEnabled"},
                           {"error", saved.ToString()}});
                    }
                    skill.enabled = *now;
                    finish(std::move(skill));
                  });
            });
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ListMcpServers(
    grpc::CallbackServerContext* context,
    const v1::ListMcpServersRequest* request,
    v1::ListMcpServersResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("ListMcpServers");
  return ServeLater<std::vector<McpServer>>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller&, auto finish) {
        manager_->AskCodexForSession(
            request->session_id(),
            [](const std::string&) {
              return SessionManager::CodexRequest{"mcpServerStatus/list",
                                                  McpServersParams(), true};
            },
            [this, id = request->session_id()](auto asked, auto done) {
              AskOffline(id, std::move(asked), std::move(done));
            },
            ReadAnswer<std::vector<McpServer>>(&McpServersOf,
                                               std::move(finish)));
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::TerminateBackgroundTerminals(
    grpc::CallbackServerContext* context,
    const v1::TerminateBackgroundTerminalsRequest* request,
    v1::TerminateBackgroundTerminalsResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("TerminateBackgroundTerminals");
  using Response = v1::TerminateBackgroundTerminalsResponse;
  return ServeLater<Response>(
      guard_, context, kMethod, *request, request->session_id(), response,
      [=, this](const Caller& caller, auto finish) {
        const std::string& process_id = request->process_id();
        if (process_id.empty() == !request->all()) {
          return finish(absl::InvalidArgumentError(
              "process_id, all: set exactly one (a process id from "
              "ListBackgroundTerminals, or all)"));
        }
        if (process_id.size() > kMaxTerminalTextBytes ||
            ToValidUtf8(process_id) != process_id) {
          return finish(absl::InvalidArgumentError(absl::StrCat(
              "process_id: at most ", kMaxTerminalTextBytes,
              " bytes of UTF-8")));
        }
        manager_->TerminateBackgroundTerminals(
            request->session_id(), process_id, caller,
            [finish](absl::Status status) {
              if (!status.ok()) return finish(std::move(status));
              finish(Response());
            });
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::ArchiveSession(
    grpc::CallbackServerContext* context,
    const v1::ArchiveSessionRequest* request, v1::Session* response) {
  static const std::string kMethod = FullMethod<v1::SessionService>("ArchiveSession");
  return Serve(
      guard_, context, kMethod, *request, request->session_id(),
      [=, this](const Caller& caller) {
        return Fill(manager_->ArchiveSession(request->session_id(), caller),
                    response);
      });
}

grpc::ServerUnaryReactor* SessionServiceImpl::UnarchiveSession(
    grpc::CallbackServerContext* context,
    const v1::UnarchiveSessionRequest* request, v1::Session* response) {
  static const std::string kMethod =
      FullMethod<v1::SessionService>("UnarchiveSession");
  return Serve(
      guard_, context, kMethod, *request, request->session_id(),
      [=, this](const Caller& caller) {
        return Fill(manager_->UnarchiveSession(request->session_id(), caller),
                    response);
      });
}

grpc::ServerWriteReactor<v1::TranscriptChunk>*
SessionServiceImpl::ExportTranscript(
    grpc::CallbackServerContext* context,
    const v1::ExportTranscriptRequest* request) {
  return codex_manager::ExportTranscript(manager_, log_, store_, guard_,
                                         context, request);
}

}  // namespace codex_manager
