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
// A path or message as a line of SkippedHooks shows it.
constexpr size_t kMaxShown = 200;

std::string Text(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxHookTextBytes);
}

std::string Path(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxHookPathBytes);
}

std::string Shown(const std::string& text) { return SafeText(text, kMaxShown); }

}  // namespace

CodexHookList HooksOf(const json& result) {
  CodexHookList out;
  for (const json& entry : ArrayMember(result, "data")) {
    for (const json& h : ArrayMember(entry, "hooks")) {
      if (out.hooks.size() >= kMaxListedHooks) break;
      CodexHook hook;
      hook.key = Path(h, "key");
      hook.event_name = Text(h, "eventName");
      hook.handler_type = Text(h, "handlerType");
      hook.command = Path(h, "command");
      hook.mcp_server = Text(h, "server");
      hook.mcp_tool = Text(h, "tool");
      hook.matcher = Text(h, "matcher");
      hook.status_message = Text(h, "statusMessage");
      hook.source = Text(h, "source");
      hook.source_path = Path(h, "sourcePath");
      hook.enabled = BoolMember(h, "enabled", true);
      hook.managed = BoolMember(h, "isManaged");
      hook.current_hash = Text(h, "currentHash");
      hook.trust_status = Text(h, "trustStatus");
      out.hooks.push_back(std::move(hook));
    }
    for (const json& e : ArrayMember(entry, "errors")) {
      if (out.errors.size() >= kMaxListedHooks) break;
      out.errors.push_back({Path(e, "path"), Text(e, "message")});
    }
    for (const json& w : ArrayMember(entry, "warnings")) {
      if (out.warnings.size() >= kMaxListedHooks) break;
      if (w.is_string()) {
        out.warnings.push_back(SafeText(w.get<std::string>(), kMaxHookTextBytes));
      }
    }
  }
  return out;
}

bool HookSkipped(const CodexHook& hook) {
  return hook.enabled &&
         (hook.trust_status == "untrusted" || hook.trust_status == "modified");
}

std::optional<SkippedHooks> SkippedHooksOf(const json& result) {
  const CodexHookList listed = HooksOf(result);
  std::vector<std::string> lines;
  size_t untrusted = 0;
  auto list = [&lines](std::string line) {
    if (lines.size() < kMaxSkippedListed) lines.push_back(std::move(line));
  };
  for (const CodexHook& hook : listed.hooks) {
    if (!HookSkipped(hook)) continue;
    ++untrusted;
    list(absl::StrCat(Shown(hook.event_name), " hook in ",
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
