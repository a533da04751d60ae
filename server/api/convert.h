// Conversion between core types (core/types.h) and the API messages of
// protos/codex_manager/v1, and page tokens.
#ifndef CODEX_MANAGER_SERVER_API_CONVERT_H_
#define CODEX_MANAGER_SERVER_API_CONVERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "codex_manager/v1/approvals.pb.h"
#include "codex_manager/v1/auth.pb.h"
#include "codex_manager/v1/codex.pb.h"
#include "codex_manager/v1/events.pb.h"
#include "codex_manager/v1/sessions.pb.h"
#include "codex_manager/v1/turns.pb.h"
#include "core/background_terminals.h"
#include "core/codex_catalog.h"
#include "core/codex_login.h"
#include "core/file_search.h"
#include "core/mcp_servers.h"
#include "core/skills.h"
#include "core/store.h"
#include "core/types.h"

namespace codex_manager {

void ToProto(const SessionGoal& in, v1::SessionGoal* out);
void ToProto(const CodexSettings& in, v1::CodexSettings* out);
void ToProto(const Session& in, v1::Session* out);
void ToProto(const Turn& in, v1::Turn* out);
void ToProto(const Approval& in, v1::Approval* out);
void ToProto(const TokenRecord& in, v1::Token* out);
void ToProto(const AuditRecord& in, v1::AuditEvent* out);
// Builds the typed payload of the event from its JSON payload.
void ToProto(const Event& in, v1::Event* out);
void ToProto(const CodexModel& in, v1::Model* out);
void ToProto(const CodexModelProvider& in, v1::ModelProvider* out);
void ToProto(const CodexFeature& in, v1::CodexFeature* out);
void ToProto(const CodexAccount& in, v1::Account* out);
void ToProto(const CodexLogin& in, v1::CodexLogin* out);
// Without `session_id` (the caller knows it).
void ToProto(const CodexThread& in, v1::CodexThread* out);
void ToProto(const CodexHook& in, v1::CodexHook* out);
void ToProto(const CodexHookList& in, v1::ListCodexHooksResponse* out);
void ToProto(const RevertResult& in, v1::RevertSessionResponse* out);
void ToProto(const std::vector<BackgroundTerminal>& in,
             v1::ListBackgroundTerminalsResponse* out);
void ToProto(const std::vector<FileMatch>& in, v1::SearchFilesResponse* out);
void ToProto(const Skill& in, v1::Skill* out);
void ToProto(const SkillList& in, v1::ListSkillsResponse* out);
void ToProto(const std::vector<McpServer>& in, v1::ListMcpServersResponse* out);
// Codex `rateLimits` (account/rateLimits/updated, account/rateLimits/read).
void RateLimitsToProto(const nlohmann::json& limits, v1::RateLimits* out);

// A Timestamp as absl::Time; INVALID_ARGUMENT naming `field` when out of
// range.
absl::StatusOr<absl::Time> FromProto(const google::protobuf::Timestamp& ts,
                                     absl::string_view field);

// Page tokens are opaque to clients: "v1." + a position, base64url.
std::string EncodePageToken(int64_t position);
// INVALID_ARGUMENT ("page_token") when malformed. Empty decodes to 0.
absl::StatusOr<int64_t> DecodePageToken(const std::string& token);
// 0 -> 100; INVALID_ARGUMENT ("page_size") outside 0..1000.
absl::StatusOr<PageRequest> ToPageRequest(int32_t page_size,
                                          const std::string& page_token);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_CONVERT_H_
