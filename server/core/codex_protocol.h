// Translation between the Codex app-server protocol (JSON-RPC methods of the
// pinned @openai/codex release; `codex app-server generate-json-schema`)
// and Codex Manager's events and approvals. Pure functions, no I/O.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_

#include <map>
#include <optional>
#include <string>

#include "core/types.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// A Codex notification as an event of ours.
struct MappedNotification {
  EventType type = EventType::kRaw;
  // Codex's turn id when the notification names one (params.turnId or
  // params.turn.id); the core translates it to its own turn id.
  std::string codex_turn_id;
  nlohmann::json payload = nlohmann::json::object();
};

// Maps any notification: known methods to typed events (payload shapes in
// docs/architecture.md), everything else to kRaw {method, params}.
MappedNotification MapNotification(const std::string& method,
                                   const nlohmann::json& params);

// The approval kind of a Codex server request method, or nullopt when the
// method is not one a person decides (e.g. `item/tool/call`).
std::optional<ApprovalKind> ApprovalKindOf(const std::string& method);

// Builds a PENDING approval (no ids or times) from a server request whose
// method ApprovalKindOf accepts. `codex_turn_id` receives params.turnId.
Approval ApprovalFromRequest(const std::string& method,
                             const nlohmann::json& params,
                             std::string* codex_turn_id);

// The JSON-RPC result that answers an approval request with `decision`
// (APPROVE -> "accept", APPROVE_FOR_SESSION -> "acceptForSession",
// DENY -> "decline", ABORT -> "cancel"); for USER_INPUT, the answers map
// as `{"answers": {id: {"answers": [text]}}}`; for PERMISSIONS, the
// requested permissions on approve and none on deny.
nlohmann::json ApprovalResult(
    const Approval& approval, Decision decision,
    const std::map<std::string, std::string>& answers);

// The unified diff of a `fileChange` item's `changes` (empty if none).
std::string DiffOfFileChange(const nlohmann::json& item);

// The turn state of a Codex `turn/completed` status string.
TurnState TurnStateOfCodexStatus(const std::string& status);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_PROTOCOL_H_
