#include "core/request_validation.h"

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/json_depth.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "core/codex_login.h"
#include "core/codex_protocol.h"
#include "nlohmann/json.hpp"

namespace codex_manager {
namespace {

constexpr size_t kMaxRequestIdBytes = 128;
constexpr size_t kMaxTitleBytes = 200;
constexpr size_t kMaxDeveloperInstructionsBytes = 4096;
constexpr size_t kMaxModelBytes = 200;
constexpr size_t kMaxSearchBytes = 200;
constexpr size_t kMaxPathBytes = 4096;
// Most images one turn takes, and the largest one (bytes).
constexpr size_t kMaxTurnImages = 8;
constexpr uintmax_t kMaxImageBytes = 20 << 20;
constexpr size_t kMaxOutputSchemaBytes = 64 << 10;
// Deeper than any real JSON Schema, and well inside the 128 levels Codex's
// JSON reader takes for the whole turn/start request around it (a deeper
// one left the turn RUNNING until --interrupt-grace killed Codex).
constexpr int kMaxOutputSchemaDepth = 64;

absl::Status ValidateOneOf(const char* field, const std::string& value,
                           std::initializer_list<const char*> allowed) {
  if (value.empty()) return absl::OkStatus();
  for (const char* a : allowed) {
    if (value == a) return absl::OkStatus();
  }
  std::string list;
  for (const char* a : allowed)
    absl::StrAppend(&list, list.empty() ? "" : ", ", "\"", a, "\"");
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", value, "\" is not one of ", list));
}

// INVALID_ARGUMENT naming `field` when `value` is over `max` bytes.
absl::Status ValidateLength(const char* field, const std::string& value,
                            size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": at most ", max, " characters"));
}

absl::Status ValidateEffort(const std::string& effort) {
  if (effort.size() > 32 ||
      !std::all_of(effort.begin(), effort.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '-' || c == '_';
      })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "effort: \"", effort.substr(0, 40),
        "\" is not a reasoning effort (e.g. low, medium, high)"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePolicies(const std::string& approval_policy,
                              const std::string& sandbox) {
  RETURN_IF_ERROR(ValidateOneOf("approval_policy", approval_policy,
                                {"untrusted", "on-request", "never"}));
  return ValidateOneOf("sandbox", sandbox,
                       {"read-only", "workspace-write", "danger-full-access"});
}

absl::Status ValidateImagePaths(std::vector<std::string>& paths,
                                const std::string& cwd) {
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(cwd, ec);
  for (std::string& path : paths) {
    std::filesystem::path p(path);
    if (p.is_relative()) p = std::filesystem::path(cwd) / p;
    const std::filesystem::path real = std::filesystem::canonical(p, ec);
    if (ec || !std::filesystem::is_regular_file(real, ec)) {
      return absl::InvalidArgumentError(
          absl::StrCat("image_paths: \"", path, "\" is not a file"));
    }
    const std::string rel = real.lexically_relative(root).string();
    if (root.empty() || rel.empty() || rel.rfind("..", 0) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image_paths: \"", path, "\" is outside the session's cwd ", cwd));
    }
    if (std::filesystem::file_size(real, ec) > kMaxImageBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image_paths: \"", path, "\" is over ", kMaxImageBytes >> 20,
          " MiB"));
    }
    path = real.string();
  }
  return absl::OkStatus();
}

}  // namespace

bool IsCodexId(absl::string_view id, size_t max_bytes) {
  return id.size() <= max_bytes &&
         std::all_of(id.begin(), id.end(), [](char c) {
           return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                  c == '.' || c == '_' || c == '-';
         });
}

namespace {

// Empty, or a Codex id of at most 64 bytes; INVALID_ARGUMENT naming
// `field` and saying what `what` is.
absl::Status ValidateCodexId(absl::string_view field, const std::string& id,
                             absl::string_view what) {
  if (!IsCodexId(id, 64)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": \"", SafeText(id, 70), "\" is not ", what,
        " (letters, digits, \".\", \"_\", \"-\"; at most 64)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateModelProvider(const std::string& model_provider) {
  return ValidateCodexId("model_provider", model_provider,
                         "a model provider id");
}

absl::Status ValidateServiceTier(const std::string& service_tier) {
  return ValidateCodexId("service_tier", service_tier,
                         "a service tier id, e.g. priority or default");
}

absl::Status ValidateRequestId(const std::string& request_id) {
  if (request_id.size() > kMaxRequestIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id: at most ", kMaxRequestIdBytes,
                     " characters, got ", request_id.size()));
  }
  return absl::OkStatus();
}

absl::Status ValidatePrompt(const std::string& prompt, size_t max_bytes) {
  if (absl::StripAsciiWhitespace(prompt).empty()) {
    return absl::InvalidArgumentError("prompt: must not be empty");
  }
  if (prompt.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("prompt: at most ", max_bytes,
                     " bytes (--max-prompt-bytes), got ", prompt.size()));
  }
  return absl::OkStatus();
}

absl::Status ValidateGoalChange(const GoalChange& change) {
  if (!change.objective && change.status == GoalStatus::kUnspecified &&
      !change.token_budget) {
    return absl::InvalidArgumentError(
        "objective: required unless status or token_budget is set");
  }
  if (change.objective) {
    if (absl::StripAsciiWhitespace(*change.objective).empty()) {
      return absl::InvalidArgumentError("objective: must not be blank");
    }
    if (change.objective->size() > kMaxGoalObjectiveBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("objective: at most ", kMaxGoalObjectiveBytes,
                       " bytes, got ", change.objective->size()));
    }
  }
  switch (change.status) {
    case GoalStatus::kUnspecified:
    case GoalStatus::kActive:
    case GoalStatus::kPaused:
    case GoalStatus::kBlocked:
    case GoalStatus::kComplete:
      break;
    case GoalStatus::kUsageLimited:
    case GoalStatus::kBudgetLimited:
      return absl::InvalidArgumentError(
          absl::StrCat("status: ", CodexGoalStatus(change.status),
                       " is set by Codex, not by a person"));
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "status: unknown goal status ", static_cast<int>(change.status)));
  }
  if (change.token_budget && *change.token_budget < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "token_budget: at least 1, got ", *change.token_budget));
  }
  return absl::OkStatus();
}

absl::Status ValidateCodexLogin(int method, const std::string& api_key) {
  constexpr size_t kMaxApiKeyBytes = 4096;
  if (method == static_cast<int>(CodexLoginMethod::kChatgptDeviceCode)) {
    if (!api_key.empty()) {
      return absl::InvalidArgumentError(
          "api_key: only for CODEX_LOGIN_METHOD_API_KEY");
    }
    return absl::OkStatus();
  }
  if (method != static_cast<int>(CodexLoginMethod::kApiKey)) {
    return absl::InvalidArgumentError(
        absl::StrCat("method: ", method,
                     " is not CODEX_LOGIN_METHOD_API_KEY or "
                     "CODEX_LOGIN_METHOD_CHATGPT_DEVICE_CODE"));
  }
  if (api_key.empty()) return absl::InvalidArgumentError("api_key: required");
  RETURN_IF_ERROR(ValidateLength("api_key", api_key, kMaxApiKeyBytes));
  for (char c : api_key) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "api_key: not printable ASCII (no spaces or line breaks)");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSkillPath(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("path: required");
  RETURN_IF_ERROR(ValidateLength("path", path, kMaxPathBytes));
  if (ToValidUtf8(path) != path) {
    return absl::InvalidArgumentError("path: not valid UTF-8");
  }
  if (path.front() != '/') {
    return absl::InvalidArgumentError(
        "path: not absolute (the skill's SKILL.md, as ListSkills gives it)");
  }
  return absl::OkStatus();
}

absl::Status ValidateSessionQuery(SessionQuery& query) {
  RETURN_IF_ERROR(ValidateLength("search", query.search, kMaxSearchBytes));
  RETURN_IF_ERROR(ValidateLength("cwd", query.cwd, kMaxPathBytes));
  if (!query.cwd.empty() && query.cwd.front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: \"", query.cwd, "\" is not an absolute path"));
  }
  while (!query.cwd.empty() && query.cwd.back() == '/') query.cwd.pop_back();
  for (size_t i = 0; i < query.states.size(); ++i) {
    const int state = static_cast<int>(query.states[i]);
    if (state < static_cast<int>(SessionState::kStarting) ||
        state > static_cast<int>(SessionState::kArchived)) {
      return absl::InvalidArgumentError(
          absl::StrCat("states[", i, "]: ", state, " is not a session state"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSession(const SessionSettings& s) {
  if (s.cwd.empty()) return absl::InvalidArgumentError("cwd: required");
  std::filesystem::path cwd(s.cwd);
  if (!cwd.is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: \"", s.cwd, "\" is not an absolute path"));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(cwd, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cwd: \"", s.cwd, "\" does not exist or is not a directory"));
  }
  RETURN_IF_ERROR(ValidatePolicies(s.approval_policy, s.sandbox));
  RETURN_IF_ERROR(ValidateLength("title", s.title, kMaxTitleBytes));
  RETURN_IF_ERROR(ValidateLength("model", s.model, kMaxModelBytes));
  RETURN_IF_ERROR(ValidateLength("developer_instructions",
                                 s.developer_instructions,
                                 kMaxDeveloperInstructionsBytes));
  RETURN_IF_ERROR(ValidateModelProvider(s.model_provider));
  RETURN_IF_ERROR(ValidateServiceTier(s.service_tier));
  return ValidateEffort(s.effort);
}

absl::Status ValidateUpdate(const SessionUpdate& update) {
  RETURN_IF_ERROR(
      ValidateLength("title", update.title.value_or(""), kMaxTitleBytes));
  RETURN_IF_ERROR(
      ValidateLength("model", update.model.value_or(""), kMaxModelBytes));
  if (update.effort) RETURN_IF_ERROR(ValidateEffort(*update.effort));
  RETURN_IF_ERROR(ValidateServiceTier(update.service_tier.value_or("")));
  return ValidatePolicies(update.approval_policy.value_or(""),
                          update.sandbox.value_or(""));
}

absl::Status ValidateTurnSettings(TurnSettings& s, const std::string& cwd) {
  RETURN_IF_ERROR(ValidateLength("model", s.model, kMaxModelBytes));
  RETURN_IF_ERROR(ValidateEffort(s.effort));
  RETURN_IF_ERROR(ValidateServiceTier(s.service_tier));
  RETURN_IF_ERROR(ValidateOneOf("reasoning_summary", s.summary,
                                {"auto", "concise", "detailed", "none"}));
  RETURN_IF_ERROR(ValidateOneOf("collaboration_mode", s.collaboration_mode,
                                {"plan", "default"}));
  RETURN_IF_ERROR(ValidatePolicies(s.approval_policy, s.sandbox));
  if (!s.output_schema_json.empty()) {
    if (s.output_schema_json.size() > kMaxOutputSchemaBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "output_schema_json: at most ", kMaxOutputSchemaBytes, " bytes"));
    }
    if (JsonNestsDeeperThan(s.output_schema_json, kMaxOutputSchemaDepth)) {
      return absl::InvalidArgumentError(
          absl::StrCat("output_schema_json: nested deeper than ",
                       kMaxOutputSchemaDepth, " levels"));
    }
    const nlohmann::json schema =
        nlohmann::json::parse(s.output_schema_json, nullptr, false);
    if (!schema.is_object()) {
      return absl::InvalidArgumentError(
          "output_schema_json: not a JSON object (a JSON Schema)");
    }
  }
  if (s.image_paths.size() + s.image_urls.size() > kMaxTurnImages) {
    return absl::InvalidArgumentError(
        absl::StrCat("images: at most ", kMaxTurnImages, " per turn"));
  }
  return ValidateImagePaths(s.image_paths, cwd);
}

}  // namespace codex_manager
