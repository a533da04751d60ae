#include "core/codex_hooks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// SkippedHooks lists this many lines, and counts the rest.
constexpr size_t kMaxSkippedListed = 20;
// Each command, path or message is cut to this many bytes; a key or hash
// longer than that is not one Codex made.
constexpr size_t kMaxField = 1024;

std::string Field(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxField);
}

// A field as a line of SkippedHooks shows it.
constexpr size_t kMaxShown = 200;
std::string Shown(const std::string& text) { return SafeText(text, kMaxShown); }

// What the hook runs: its command, or its MCP server's tool.
std::string Handler(const CodexHook& hook) {
  if (!hook.command.empty()) return absl::StrCat("`", Shown(hook.command), "`");
  if (!hook.mcp_tool.empty()) {
    return Shown(absl::StrCat("MCP tool ", hook.mcp_server, "/", hook.mcp_tool));
  }
  return hook.handler_type;
}

}  // namespace

CodexHookList HooksOf(const json& result) {
  CodexHookList out;
  for (const json& entry : ArrayMember(result, "data")) {
    for (const json& h : ArrayMember(entry, "hooks")) {
      if (out.hooks.size() >= kMaxListedHooks) break;
      CodexHook hook;
      hook.key = Field(h, "key");
      hook.event_name = Field(h, "eventName");
      hook.handler_type = Field(h, "handlerType");
      hook.command = Field(h, "command");
      hook.mcp_server = Field(h, "server");
      hook.mcp_tool = Field(h, "tool");
      hook.matcher = Field(h, "matcher");
      hook.status_message = Field(h, "statusMessage");
      hook.source = Field(h, "source");
      hook.source_path = Field(h, "sourcePath");
      hook.enabled = BoolMember(h, "enabled", true);
      hook.managed = BoolMember(h, "isManaged");
      hook.current_hash = Field(h, "currentHash");
      hook.trust_status = Field(h, "trustStatus");
      out.hooks.push_back(std::move(hook));
    }
    for (const json& e : ArrayMember(entry, "errors")) {
      if (out.errors.size() >= kMaxListedHooks) break;
      out.errors.push_back({Field(e, "path"), Field(e, "message")});
    }
    for (const json& w : ArrayMember(entry, "warnings")) {
      if (out.warnings.size() >= kMaxListedHooks) break;
      if (w.is_string()) out.warnings.push_back(SafeText(w.get<std::string>(), kMaxField));
    }
  }
  return out;
}

bool HookRuns(const CodexHook& hook) {
  return !hook.enabled ||
         (hook.trust_status != "untrusted" && hook.trust_status != "modified");
}

std::optional<SkippedHooks> SkippedHooksOf(const json& result) {
  const CodexHookList listed = HooksOf(result);
  std::vector<std::string> lines;
  size_t untrusted = 0;
  auto list = [&lines](std::string line) {
    if (lines.size() < kMaxSkippedListed) lines.push_back(std::move(line));
  };
  for (const CodexHook& hook : listed.hooks) {
    if (HookRuns(hook)) continue;
    ++untrusted;
    list(absl::StrCat(Shown(hook.event_name), " ", Handler(hook), " in ",
                      Shown(hook.source_path), ": ",
                      hook.trust_status == "modified"
                          ? "changed since it was trusted"
                          : "not trusted"));
  }
  for (const CodexHookError& error : listed.errors) {
    list(absl::StrCat("not loaded: ", Shown(error.path), ": ",
                      Shown(error.message)));
  }
  const size_t errors = listed.errors.size();
  if (untrusted == 0 && errors == 0) return std::nullopt;
  std::vector<std::string> parts;
  if (untrusted > 0) {
    parts.push_back(absl::StrCat(untrusted, untrusted == 1 ? " hook" : " hooks",
                                 " it was not told to trust"));
  }
  if (errors > 0) {
    parts.push_back(absl::StrCat(errors, errors == 1 ? " hook file" : " hook files",
                                 " it could not load"));
  }
  SkippedHooks out;
  out.message = absl::StrCat(
      "Codex skips ", absl::StrJoin(parts, " and "),
      untrusted > 0 ? "; trust them once reviewed (`codex-manager codex hooks "
                      "trust`, or /hooks in `codex` under the server's "
                      "CODEX_HOME), then stop and resume this session"
                    : "");
  if (lines.size() < untrusted + errors) {
    lines.push_back(absl::StrCat("and ", untrusted + errors - lines.size(),
                                 " more"));
  }
  out.details = absl::StrJoin(lines, "\n");
  return out;
}

}  // namespace codex_manager
