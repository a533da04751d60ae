// Codex hooks (app-server 0.171): the hooks Codex's config defines
// (`hooks/list`), and those a session's thread will not run.
//
// Codex runs a hook from its config only once the hook's exact definition
// was trusted (`[hooks.state."<key>"] trusted_hash` in CODEX_HOME's
// config.toml, written by Codex's own /hooks review, or by
// CodexService.TrustCodexHooks through `config/batchWrite`), and skips the
// others without a word on the protocol; a hook file it cannot parse is
// skipped the same way. codex-manager asks `hooks/list` for a thread once
// it is ready and turns what Codex skips into one WARNING event.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace codex_manager {

// One hook of `hooks/list` (Codex's `HookMetadata`). Text fields are valid
// UTF-8, each cut to a bounded size (SafeText: the cut marked "…"):
// kMaxHookPathBytes for the key, the command and the file,
// kMaxHookTextBytes for the rest.
struct CodexHook {
  // Codex's name for the definition, "<file>:<event>:<group>:<index>"; the
  // key of its trust.
  std::string key;
  std::string event_name;    // "preToolUse", "stop", ...
  std::string handler_type;  // "command", "mcpTool", "prompt", "agent"
  std::string command;       // command hooks
  std::string mcp_server;    // mcpTool hooks
  std::string mcp_tool;
  std::string matcher;
  std::string status_message;
  std::string source;  // "user", "project", "system", "plugin", ...
  std::string source_path;
  bool enabled = true;
  bool managed = false;  // trusted by policy (system, MDM, cloud)
  // "sha256:<hex>" of the definition as it is now.
  std::string current_hash;
  // "managed", "trusted", "untrusted" or "modified" (changed since it was
  // trusted).
  std::string trust_status;
};

struct CodexHookError {
  std::string path;
  std::string message;
};

struct CodexHookList {
  std::vector<CodexHook> hooks;
  // Hook files Codex could not load.
  std::vector<CodexHookError> errors;
  std::vector<std::string> warnings;
};

// Bounds of what HooksOf keeps: a listing of the most hooks, each field
// at its most, fits in one gRPC message.
inline constexpr size_t kMaxListedHooks = 100;
inline constexpr size_t kMaxHookPathBytes = 4096;
inline constexpr size_t kMaxHookTextBytes = 1024;

// `hooks/list`'s result (`HooksListResponse`: {data: [{cwd, hooks,
// warnings, errors}]}), every entry's together, in Codex's order. Any
// shape is accepted (a mistyped member reads as absent); at most
// kMaxListedHooks hooks, errors and warnings are kept.
CodexHookList HooksOf(const nlohmann::json& result);

// Codex will not run the hook as it is: enabled, and never trusted or
// changed since it was (not managed, not trusted).
bool HookSkipped(const CodexHook& hook);

struct SkippedHooks {
  // One line: how many hooks Codex skips and how to trust them.
  std::string message;
  // One line per skipped hook or hook file: its event and the file that
  // configures it (not its command, which may carry a secret: every
  // viewer of the session reads the event).
  std::string details;
};

// What `hooks/list`'s result says Codex will not run: enabled hooks whose
// trust is "untrusted" or "modified", and `errors`. nullopt when nothing is
// skipped. The text is bounded (20 lines listed, the rest counted).
std::optional<SkippedHooks> SkippedHooksOf(const nlohmann::json& result);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_
