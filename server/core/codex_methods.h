// What Codex Manager does with each method Codex's app-server can send it:
// the one place a new Codex release's methods become a visible decision.
//
// The table covers the protocol of the pinned @openai/codex
// (tools/codex/package.json), whose schema is checked in under
// tests/codex_schema/<version>/ (`codex app-server generate-json-schema
// --experimental`). codex_methods_test walks that schema: every server
// request and notification it lists must have a rule here, every rule must
// name a method it lists, and each rule must agree with what the bridge
// does (codex_protocol.h). A method missing from the table is handled as
// the defaults below say, and warned about.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_METHODS_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_METHODS_H_

#include <string>
#include <vector>

namespace codex_manager {

enum class MethodHandling {
  // Server requests (Codex asks, a client answers).
  kApproval,  // becomes an approval a person decides (ApprovalKindOf)
  kRefused,   // answered with a JSON-RPC error and a WARNING event
  // Notifications.
  kTyped,     // becomes a typed event (MapNotification)
  kConsumed,  // drives the session's state; no event of its own
  kRaw,       // forwarded as a RAW event {method, params}, knowingly
};

struct MethodRule {
  const char* method;
  MethodHandling handling;
  // Why, for kRefused and kRaw: the text a WARNING event or the docs show.
  const char* note;
};

// The rules for Codex's server requests (ServerRequest.json).
const std::vector<MethodRule>& ServerRequestRules();
// The rules for Codex's notifications (ServerNotification.json).
const std::vector<MethodRule>& NotificationRules();

// The Codex releases this build's suites pass with
// (scripts/test-codex-versions.sh); the pin is tools/codex/package.json.
inline constexpr char kOldestTestedCodex[] = "0.168.0";
inline constexpr char kNewestTestedCodex[] = "0.171.0";
// Whether `version` ("0.169.0"; a suffix such as "-alpha.1" is ignored) is
// within [kOldestTestedCodex, kNewestTestedCodex]; false when unparsable.
bool IsTestedCodexVersion(const std::string& version);

// The rule of `method`, or nullptr when the table does not know it (a
// newer Codex): a server request is then refused, a notification is raw.
const MethodRule* FindServerRequestRule(const std::string& method);
const MethodRule* FindNotificationRule(const std::string& method);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_METHODS_H_
