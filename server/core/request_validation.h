// Checks of what clients ask the session manager for, before anything is
// locked or changed. Each returns INVALID_ARGUMENT naming the field (as
// the API promises, protos/codex_manager/v1), or RESOURCE_EXHAUSTED naming
// the flag for a size a flag limits.
#ifndef CODEX_MANAGER_SERVER_CORE_REQUEST_VALIDATION_H_
#define CODEX_MANAGER_SERVER_CORE_REQUEST_VALIDATION_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/store.h"
#include "core/types.h"

namespace codex_manager {

// A session's settings as CreateSession and ImportThread give them.
struct SessionSettings {
  const std::string& cwd;
  const std::string& model;
  const std::string& effort;
  const std::string& approval_policy;
  const std::string& sandbox;
  const std::string& title;
  // At most 4096 bytes.
  const std::string& developer_instructions;
  // As ValidateModelProvider.
  const std::string& model_provider;
  // As ValidateServiceTier.
  const std::string& service_tier;
};

// Letters, digits, ".", "_" and "-" only, at most `max_bytes` (empty
// passes): what Codex's ids are made of (providers, service tiers,
// feature flags).
bool IsCodexId(absl::string_view id, size_t max_bytes);

// Empty, or the id of a Codex model provider: letters, digits, ".", "_"
// and "-", at most 64 bytes (INVALID_ARGUMENT "model_provider").
absl::Status ValidateModelProvider(const std::string& model_provider);
// Empty, or a Codex service tier id ("priority", "default", ...): the same
// characters, at most 64 bytes (INVALID_ARGUMENT "service_tier").
absl::Status ValidateServiceTier(const std::string& service_tier);

// At most 128 bytes.
absl::Status ValidateRequestId(const std::string& request_id);
// Not blank; at most `max_bytes` (RESOURCE_EXHAUSTED naming
// --max-prompt-bytes).
absl::Status ValidatePrompt(const std::string& prompt, size_t max_bytes);
// `cwd` an absolute path to an existing directory, and the rest as
// ValidateUpdate checks them.
absl::Status ValidateSession(const SessionSettings& s);
// Each set field: a title of at most 200 bytes, a model name of at most
// 200, a reasoning effort (lowercase word), a Codex approval policy
// (untrusted, on-request, never) and sandbox (read-only, workspace-write,
// danger-full-access).
absl::Status ValidateUpdate(const SessionUpdate& update);
// A search of at most 200 bytes; a cwd empty or an absolute path of at most
// 4096 bytes, its trailing '/' dropped in place ("/" alone: any folder);
// states from STARTING to ARCHIVED.
absl::Status ValidateSessionQuery(SessionQuery& query);
// Something to change; an objective not blank and of at most
// kMaxGoalObjectiveBytes, valid UTF-8; a status a person may set (active,
// paused, blocked, complete: not the limits Codex sets itself); a token
// budget of at least 1.
absl::Status ValidateGoalChange(const GoalChange& change);
// A skill's SKILL.md as ListSkills gives it (SetSkillEnabledRequest.path):
// an absolute path of at most 4096 bytes, valid UTF-8.
// A login's method and key: kApiKey with a key of 1..4096 bytes of
// printable ASCII (never echoed in the error), kChatgptDeviceCode with
// none.
absl::Status ValidateCodexLogin(int method, const std::string& api_key);
absl::Status ValidateSkillPath(const std::string& path);
// A turn's settings in the session's `cwd`: as above, plus the reasoning
// summary, a JSON-object output schema (64 KiB at most), at most 8 images,
// each path a regular file inside `cwd` of at most 20 MiB. Resolves the
// image paths (realpath) in place.
absl::Status ValidateTurnSettings(TurnSettings& s, const std::string& cwd);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_REQUEST_VALIDATION_H_
