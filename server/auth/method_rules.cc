#include "auth/method_rules.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

constexpr Role kNone = Role::kUnspecified;
constexpr Role kViewer = Role::kViewer;
constexpr Role kOperator = Role::kOperator;
constexpr Role kAdmin = Role::kAdmin;

constexpr MethodRule kRules[] = {
    {"/codex_manager.v1.SessionService/CreateSession", kOperator, true},
    {"/codex_manager.v1.SessionService/GetSession", kViewer, false},
    {"/codex_manager.v1.SessionService/ListSessions", kViewer, false},
    {"/codex_manager.v1.SessionService/StopSession", kOperator, true},
    {"/codex_manager.v1.SessionService/ResumeSession", kOperator, true},
    {"/codex_manager.v1.SessionService/ArchiveSession", kOperator, true},
    {"/codex_manager.v1.SessionService/UnarchiveSession", kOperator, true},
    {"/codex_manager.v1.SessionService/UpdateSession", kOperator, true},
    {"/codex_manager.v1.SessionService/CompactSession", kOperator, true},
    {"/codex_manager.v1.SessionService/SetSessionGoal", kOperator, true},
    {"/codex_manager.v1.SessionService/ClearSessionGoal", kOperator, true},
    {"/codex_manager.v1.SessionService/RevertSession", kOperator, true},
    {"/codex_manager.v1.SessionService/ListBackgroundTerminals", kViewer,
     false},
    {"/codex_manager.v1.SessionService/TerminateBackgroundTerminals", kOperator,
     true},
    {"/codex_manager.v1.SessionService/SearchFiles", kOperator, false},
    {"/codex_manager.v1.SessionService/ListSkills", kOperator, false},
    {"/codex_manager.v1.SessionService/SetSkillEnabled", kAdmin, true},
    {"/codex_manager.v1.SessionService/ListMcpServers", kOperator, false},
    {"/codex_manager.v1.SessionService/ImportThread", kOperator, true},
    {"/codex_manager.v1.SessionService/ForkSession", kOperator, true},
    {"/codex_manager.v1.SessionService/ExportTranscript", kViewer, false},
    {"/codex_manager.v1.TurnService/StartTurn", kOperator, true},
    {"/codex_manager.v1.TurnService/InterruptTurn", kOperator, true},
    {"/codex_manager.v1.TurnService/SteerTurn", kOperator, true},
    {"/codex_manager.v1.TurnService/StartReview", kOperator, true},
    {"/codex_manager.v1.TurnService/RunShellCommand", kAdmin, true},
    {"/codex_manager.v1.TurnService/GetTurn", kViewer, false},
    {"/codex_manager.v1.TurnService/ListTurns", kViewer, false},
    {"/codex_manager.v1.ApprovalService/ListApprovals", kViewer, false},
    {"/codex_manager.v1.ApprovalService/ResolveApproval", kOperator, true},
    {"/codex_manager.v1.StreamService/StreamEvents", kViewer, false},
    {"/codex_manager.v1.StreamService/StreamEventBatches", kViewer, false},
    {"/codex_manager.v1.CodexService/ListModels", kViewer, false},
    {"/codex_manager.v1.CodexService/ListModelProviders", kViewer, false},
    {"/codex_manager.v1.CodexService/GetAccount", kOperator, false},
    {"/codex_manager.v1.CodexService/ListCodexThreads", kOperator, false},
    {"/codex_manager.v1.CodexService/ListCodexHooks", kAdmin, false},
    {"/codex_manager.v1.CodexService/TrustCodexHooks", kAdmin, true},
    {"/codex_manager.v1.CodexService/ListCodexFeatures", kViewer, false},
    {"/codex_manager.v1.CodexService/SetCodexFeature", kAdmin, true},
    {"/codex_manager.v1.CodexService/StartCodexLogin", kAdmin, true},
    {"/codex_manager.v1.CodexService/GetCodexLogin", kAdmin, false},
    {"/codex_manager.v1.CodexService/CancelCodexLogin", kAdmin, true},
    {"/codex_manager.v1.CodexService/LogoutCodex", kAdmin, true},
    {"/codex_manager.v1.AuthService/CreateToken", kAdmin, true},
    {"/codex_manager.v1.AuthService/ListTokens", kAdmin, false},
    {"/codex_manager.v1.AuthService/RevokeToken", kAdmin, true},
    {"/codex_manager.v1.AuthService/WhoAmI", kViewer, false},
    {"/codex_manager.v1.AuditService/ListAuditEvents", kAdmin, false},
    // Changes nothing, but copies everything: rate-limited and audited
    // like a change.
    {"/codex_manager.v1.MaintenanceService/Backup", kAdmin, true},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", kViewer,
     false},
    {"/grpc.health.v1.Health/Check", kNone, false},
    {"/grpc.health.v1.Health/Watch", kNone, false},
};

}  // namespace

absl::Span<const MethodRule> AllMethodRules() { return kRules; }

const MethodRule* FindMethodRule(absl::string_view method) {
  for (const MethodRule& rule : kRules) {
    if (rule.method == method) return &rule;
  }
  return nullptr;
}

std::string RoleTableMarkdown() {
  std::string out =
      "| method | least role | mutation (rate-limited, audited) |\n"
      "| --- | --- | --- |\n";
  for (const MethodRule& rule : kRules) {
    absl::StrAppend(&out, "| `", rule.method, "` | ",
                    rule.role == Role::kUnspecified ? "none (no token)"
                                                    : RoleName(rule.role),
                    " | ", rule.mutation ? "yes" : "no", " |\n");
  }
  return out;
}

}  // namespace codex_manager
