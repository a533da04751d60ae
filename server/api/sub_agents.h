// How transcripts name a sub-agent and say what it did (Event.sub_agent,
// the session's agent's `subAgentActivity` items: Codex's multi-agent
// tools, feature multi_agent_v2). Shared by the CLI's transcript and the
// Markdown export, so both say it alike.
#ifndef CODEX_MANAGER_SERVER_API_SUB_AGENTS_H_
#define CODEX_MANAGER_SERVER_API_SUB_AGENTS_H_

#include <string>

#include "codex_manager/v1/events.pb.h"

namespace codex_manager {

// The last part of its path, the task name its spawner gave it
// ("/root/helper" -> "helper"; "/root/a/b" -> "b"); "sub-agent " and the
// start of its thread id while Codex has not named it.
std::string SubAgentName(const v1::SubAgent& agent);

// What a completed `subAgentActivity` item says, e.g. "sub-agent helper
// started (gpt-5.5)", "sub-agent helper completed"; "" for any other item,
// or an activity not worth a line (`interacted`: a message to it).
// Reads Item.item_json (agentPath, kind, model); text from Codex is cut
// to a line of at most 200 bytes.
std::string SubAgentActivityText(const v1::Item& item);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_SUB_AGENTS_H_
