#include "api/sub_agents.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/sub_agent_name.h"

namespace codex_manager {

std::string SubAgentName(const v1::SubAgent& agent) {
  return SubAgentName(agent.path(), agent.thread_id());
}

std::string SubAgentActivityText(const v1::Item& item) {
  if (item.item_type() != "subAgentActivity") return "";
  const nlohmann::json parsed =
      nlohmann::json::parse(item.item_json(), nullptr, /*allow_exceptions=*/false);
  const std::string kind = StringMember(parsed, "kind");
  if (kind != "started" && kind != "completed" && kind != "interrupted") {
    return "";
  }
  const std::string path = StringMember(parsed, "agentPath");
  // Named: "sub-agent helper"; not yet: SubAgentName says "sub-agent …".
  std::string text = absl::StrCat(
      SubAgentPathName(path).empty() ? "" : "sub-agent ",
      SubAgentName(path, StringMember(parsed, "agentThreadId")), " ", kind);
  if (const std::string model = StringMember(parsed, "model");
      kind == "started" && !model.empty()) {
    absl::StrAppend(&text, " (", SubAgentText(model, 200), ")");
  }
  return text;
}

}  // namespace codex_manager
