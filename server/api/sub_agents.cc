#include "api/sub_agents.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

// `text` on one line, at most 200 bytes of it.
std::string OneLine(const std::string& text) {
  std::string line = SafeText(text, 200);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return line;
}

std::string NameOfPath(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return OneLine(slash == std::string::npos ? path : path.substr(slash + 1));
}

}  // namespace

std::string SubAgentName(const v1::SubAgent& agent) {
  std::string name = NameOfPath(agent.path());
  if (!name.empty()) return name;
  return "sub-agent " + OneLine(agent.thread_id().substr(0, 8));
}

std::string SubAgentActivityText(const v1::Item& item) {
  if (item.item_type() != "subAgentActivity") return "";
  const nlohmann::json parsed =
      nlohmann::json::parse(item.item_json(), nullptr, /*allow_exceptions=*/false);
  const std::string kind = StringMember(parsed, "kind");
  if (kind != "started" && kind != "completed" && kind != "interrupted") {
    return "";
  }
  v1::SubAgent agent;
  agent.set_path(StringMember(parsed, "agentPath"));
  agent.set_thread_id(StringMember(parsed, "agentThreadId"));
  // Named: "sub-agent helper"; not yet: SubAgentName says "sub-agent …".
  std::string text = absl::StrCat(
      NameOfPath(agent.path()).empty() ? "" : "sub-agent ",
      SubAgentName(agent), " ", kind);
  if (const std::string model = StringMember(parsed, "model");
      kind == "started" && !model.empty()) {
    absl::StrAppend(&text, " (", OneLine(model), ")");
  }
  return text;
}

}  // namespace codex_manager
