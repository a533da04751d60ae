#include "core/codex_hooks.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// Details beyond this many lines are counted, not listed.
constexpr size_t kMaxListed = 20;
// Each listed command, path or message is cut to this many bytes.
constexpr size_t kMaxField = 200;

std::string Field(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxField);
}

// What the hook runs: its command, or its MCP server's tool.
std::string Handler(const json& hook) {
  std::string command = Field(hook, "command");
  if (!command.empty()) return absl::StrCat("`", command, "`");
  const std::string tool = Field(hook, "tool");
  if (!tool.empty()) {
    return absl::StrCat("MCP tool ", Field(hook, "server"), "/", tool);
  }
  return Field(hook, "handlerType");
}

}  // namespace

std::optional<SkippedHooks> SkippedHooksOf(const json& result) {
  std::vector<std::string> lines;
  size_t untrusted = 0;
  size_t errors = 0;
  auto list = [&lines](std::string line) {
    if (lines.size() < kMaxListed) lines.push_back(std::move(line));
  };
  for (const json& entry : ArrayMember(result, "data")) {
    for (const json& hook : ArrayMember(entry, "hooks")) {
      const std::string trust = StringMember(hook, "trustStatus");
      if (!BoolMember(hook, "enabled", true) ||
          (trust != "untrusted" && trust != "modified")) {
        continue;
      }
      ++untrusted;
      list(absl::StrCat(Field(hook, "eventName"), " ", Handler(hook), " in ",
                        Field(hook, "sourcePath"), ": ",
                        trust == "modified" ? "changed since it was trusted"
                                            : "not trusted"));
    }
    for (const json& error : ArrayMember(entry, "errors")) {
      ++errors;
      list(absl::StrCat("not loaded: ", Field(error, "path"), ": ",
                        Field(error, "message")));
    }
  }
  if (untrusted == 0 && errors == 0) return std::nullopt;
  SkippedHooks out;
  std::vector<std::string> parts;
  if (untrusted > 0) {
    parts.push_back(absl::StrCat(untrusted, untrusted == 1 ? " hook" : " hooks",
                                 " it was not told to trust"));
  }
  if (errors > 0) {
    parts.push_back(absl::StrCat(errors, errors == 1 ? " hook file" : " hook files",
                                 " it could not load"));
  }
  out.message = absl::StrCat(
      "Codex skips ", absl::StrJoin(parts, " and "),
      untrusted > 0 ? "; review and trust hooks with `codex` (/hooks) run "
                      "under the server's CODEX_HOME"
                    : "");
  if (lines.size() < untrusted + errors) {
    lines.push_back(absl::StrCat("and ", untrusted + errors - lines.size(),
                                 " more"));
  }
  out.details = absl::StrJoin(lines, "\n");
  return out;
}

}  // namespace codex_manager
