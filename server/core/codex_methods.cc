#include "core/codex_methods.h"

namespace codex_manager {
namespace {

constexpr MethodHandling kApproval = MethodHandling::kApproval;
constexpr MethodHandling kRefused = MethodHandling::kRefused;
constexpr MethodHandling kTyped = MethodHandling::kTyped;
constexpr MethodHandling kConsumed = MethodHandling::kConsumed;
constexpr MethodHandling kRaw = MethodHandling::kRaw;

// Notes shared by several raw notifications.
constexpr const char* kNotTypedYet =
    "not typed yet: forwarded raw for clients that read it";
constexpr const char* kNotUsed =
    "belongs to a Codex feature codex-manager does not use";
constexpr const char* kWindows = "Windows only";
constexpr const char* kNoAutoReview =
    "approvals go to people (approvalsReviewer \"user\")";
constexpr const char* kRealtime =
    "realtime voice sessions: codex-manager does not start them";

// A linear scan: called for server requests (rare) and by tests, never
// per notification.
const MethodRule* Find(const std::vector<MethodRule>& rules,
                       const std::string& method) {
  for (const MethodRule& rule : rules) {
    if (method == rule.method) return &rule;
  }
  return nullptr;
}

}  // namespace

const std::vector<MethodRule>& ServerRequestRules() {
  static const auto* rules = new std::vector<MethodRule>{
      {"item/commandExecution/requestApproval", kApproval, ""},
      {"item/fileChange/requestApproval", kApproval, ""},
      {"item/tool/requestUserInput", kApproval, ""},
      {"mcpServer/elicitation/request", kApproval, ""},
      {"item/permissions/requestApproval", kApproval, ""},
      {"execCommandApproval", kApproval, ""},  // legacy v1 shape
      {"applyPatchApproval", kApproval, ""},   // legacy v1 shape
      {"item/tool/call", kRefused,
       "a dynamic client-side tool call; codex-manager registers no "
       "dynamic tools"},
      {"account/chatgptAuthTokens/refresh", kRefused,
       "codex-manager does not hold ChatGPT tokens; log Codex in under its "
       "CODEX_HOME (codex login)"},
      {"attestation/generate", kRefused,
       "codex-manager does not opt into attestation (requestAttestation)"},
  };
  return *rules;
}

const std::vector<MethodRule>& NotificationRules() {
  static const auto* rules = new std::vector<MethodRule>{
      // Typed events (codex_protocol.cc, MapNotification).
      {"item/started", kTyped, ""},
      {"item/completed", kTyped, ""},
      {"item/agentMessage/delta", kTyped, ""},
      {"item/commandExecution/outputDelta", kTyped, ""},
      {"item/reasoning/summaryTextDelta", kTyped, ""},
      {"item/reasoning/textDelta", kTyped, ""},
      {"item/fileChange/outputDelta", kTyped, ""},
      {"item/fileChange/patchUpdated", kTyped, ""},
      {"item/plan/delta", kTyped, ""},
      {"thread/tokenUsage/updated", kTyped, ""},
      {"error", kTyped, ""},
      {"warning", kTyped, ""},
      {"guardianWarning", kTyped, ""},
      {"item/commandExecution/terminalInteraction", kTyped, ""},
      {"configWarning", kTyped, ""},
      {"deprecationNotice", kTyped, ""},
      {"skills/changed", kTyped, ""},
      // The session's and turn's state (session_manager.cc).
      {"turn/started", kConsumed, ""},
      {"turn/completed", kConsumed, ""},
      {"serverRequest/resolved", kConsumed, ""},
      // Raw, knowingly.
      {"thread/started", kRaw, "the thread is opened by codex-manager itself"},
      {"thread/status/changed", kTyped, ""},
      {"thread/readState/changed", kRaw, kNotUsed},
      {"thread/archived", kRaw, kNotTypedYet},
      {"thread/deleted", kRaw, kNotTypedYet},
      {"thread/unarchived", kRaw, kNotTypedYet},
      {"thread/closed", kRaw, kNotTypedYet},
      {"thread/reverted", kRaw,
       "RevertSession records the revert itself (SESSION_REVERTED, with the "
       "turns); Codex's notice of it, which names only the thread, is "
       "forwarded as is"},
      {"thread/name/updated", kRaw, kNotTypedYet},
      {"thread/section/changed", kRaw, kNotUsed},
      {"thread/attachment/updated", kRaw, kNotUsed},
      // Session.goal and GOAL_UPDATED (session_manager_runtime.cc).
      {"thread/goal/updated", kConsumed, ""},
      {"thread/prediction/updated", kRaw, kNotUsed},
      {"thread/goal/cleared", kConsumed, ""},
      // Session.codex_settings and CODEX_SETTINGS_CHANGED
      // (session_manager_runtime.cc).
      {"thread/settings/updated", kConsumed, ""},
      {"thread/queue/changed", kRaw, kNotUsed},
      {"project/changed", kRaw, kNotUsed},
      {"thread/project/updated", kRaw, kNotUsed},
      {"thread/environment/connected", kRaw, kNotUsed},
      {"thread/environment/disconnected", kRaw, kNotUsed},
      {"thread/search/partial", kRaw,
       "results of thread/search/stream, which codex-manager does not call"},
      {"turn/diff/updated", kTyped, ""},
      {"turn/plan/updated", kTyped, ""},
      // codex-manager opens threads with approvalsReviewer "user" (and
      // stops a Codex that answers another): a model reviewer never runs.
      {"item/autoApprovalReview/started", kRaw, kNoAutoReview},
      {"item/autoApprovalReview/completed", kRaw, kNoAutoReview},
      {"autoApprovalReview/strictReviewRequired", kRaw, kNoAutoReview},
      {"command/exec/outputDelta", kRaw,
       "output of command/exec, which codex-manager does not call"},
      {"process/outputDelta", kRaw,
       "output of process/spawn, which codex-manager does not call"},
      {"process/exited", kRaw,
       "end of process/spawn, which codex-manager does not call"},
      {"item/mcpToolCall/progress", kRaw, kNotTypedYet},
      {"mcpServer/oauthLogin/completed", kRaw, kNotUsed},
      {"mcpServer/startupStatus/updated", kTyped, ""},
      {"hook/started", kTyped, ""},
      {"hook/completed", kTyped, ""},
      {"mcpServer/event/stream/notification", kRaw, kNotUsed},
      {"account/updated", kRaw, kNotTypedYet},
      {"account/gatewayOAuth/changed", kRaw, kNotUsed},
      {"account/rateLimits/updated", kTyped, ""},
      {"app/list/updated", kRaw, kNotUsed},
      {"remoteControl/status/changed", kRaw, kNotUsed},
      {"externalAgentConfig/import/progress", kRaw, kNotUsed},
      {"externalAgentConfig/import/completed", kRaw, kNotUsed},
      {"fs/changed", kRaw, kNotUsed},
      {"item/reasoning/summaryPartAdded", kRaw,
       "a boundary between reasoning summary parts; the text comes in "
       "summaryTextDelta"},
      {"thread/compacted", kTyped, ""},
      {"model/rerouted", kTyped, ""},
      {"model/verification", kRaw, kNotTypedYet},
      {"modelProvider/authRecoveryStarted", kRaw, kNotTypedYet},
      {"modelProvider/authRecoveryCompleted", kRaw, kNotTypedYet},
      {"turn/moderationMetadata", kRaw, kNotTypedYet},
      {"model/safetyBuffering/updated", kRaw, kNotTypedYet},
      {"fuzzyFileSearch/sessionUpdated", kRaw, kNotUsed},
      {"fuzzyFileSearch/sessionCompleted", kRaw, kNotUsed},
      {"thread/realtime/started", kRaw, kRealtime},
      {"thread/realtime/itemAdded", kRaw, kRealtime},
      {"thread/realtime/item/started", kRaw, kRealtime},
      {"thread/realtime/item/transcript/delta", kRaw, kRealtime},
      {"thread/realtime/item/completed", kRaw, kRealtime},
      {"thread/realtime/transcript/delta", kRaw, kRealtime},
      {"thread/realtime/transcript/done", kRaw, kRealtime},
      {"thread/realtime/outputAudio/delta", kRaw, kRealtime},
      {"thread/realtime/sdp", kRaw, kRealtime},
      {"thread/realtime/error", kRaw, kRealtime},
      {"thread/realtime/closed", kRaw, kRealtime},
      {"windows/worldWritableWarning", kRaw, kWindows},
      {"windowsSandbox/setupCompleted", kRaw, kWindows},
      {"account/login/completed", kRaw, kNotUsed},
  };
  return *rules;
}

namespace {

// "0.169.0-alpha.1" -> {0, 169, 0}; empty when not dotted numbers.
std::vector<int> VersionParts(const std::string& version) {
  std::vector<int> parts;
  int value = -1;
  for (char c : version.substr(0, version.find_first_of("-+"))) {
    if (c >= '0' && c <= '9') {
      value = (value < 0 ? 0 : value) * 10 + (c - '0');
      if (value > 1'000'000) return {};
    } else if (c == '.' && value >= 0) {
      parts.push_back(value);
      value = -1;
    } else {
      return {};
    }
  }
  if (value < 0) return {};
  parts.push_back(value);
  return parts;
}

}  // namespace

bool IsTestedCodexVersion(const std::string& version) {
  const std::vector<int> v = VersionParts(version);
  return !v.empty() && v >= VersionParts(kOldestTestedCodex) &&
         v <= VersionParts(kNewestTestedCodex);
}

const MethodRule* FindServerRequestRule(const std::string& method) {
  return Find(ServerRequestRules(), method);
}

const MethodRule* FindNotificationRule(const std::string& method) {
  return Find(NotificationRules(), method);
}

}  // namespace codex_manager
