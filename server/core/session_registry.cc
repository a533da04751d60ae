#include "core/session_registry.h"

#include <utility>

#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {

LiveSession* SessionRegistry::Find(const std::string& session_id) {
  auto it = by_id_.find(session_id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

LiveSession* SessionRegistry::Find(const Runtime* runtime) {
  auto it = by_runtime_.find(runtime);
  return it == by_runtime_.end() ? nullptr : it->second;
}

LiveSession& SessionRegistry::Add(std::unique_ptr<LiveSession> live) {
  LiveSession& added = *live;
  by_runtime_[added.runtime.get()] = &added;
  by_id_[added.session.session_id] = std::move(live);
  return added;
}

std::unique_ptr<LiveSession> SessionRegistry::Remove(
    const std::string& session_id) {
  auto it = by_id_.find(session_id);
  if (it == by_id_.end()) return nullptr;
  std::unique_ptr<LiveSession> live = std::move(it->second);
  by_id_.erase(it);
  by_runtime_.erase(live->runtime.get());
  return live;
}

std::vector<std::string> SessionRegistry::ids() const {
  std::vector<std::string> ids;
  for (const auto& [id, live] : by_id_) ids.push_back(id);
  return ids;
}

void LiveSession::NoteCommand(const std::string& item_id, bool completed) {
  if (completed) {
    open_commands.erase(item_id);
  } else if (open_commands.size() < kMaxTrackedCommands) {
    open_commands.insert(item_id);
  }
}

bool LiveSession::IsSubAgentThread(const std::string& thread_id) const {
  // Before Codex answered thread/start (or thread/resume), the session's
  // thread id may be an unsaved one Codex replaces (OnReady).
  return !thread_id.empty() && !session.thread_id.empty() &&
         session.state != SessionState::kStarting &&
         thread_id != session.thread_id;
}

void LiveSession::NoteItem(const nlohmann::json& item, bool completed) {
  const std::string type = StringMember(item, "type");
  approvals.NoteItem(item, completed);
  if (type == "commandExecution") {
    NoteCommand(StringMember(item, "id"), completed);
  }
  if (type == "subAgentActivity") NoteSubAgent(item);
}

void LiveSession::NoteSubAgent(const nlohmann::json& item) {
  const std::string thread_id = StringMember(item, "agentThreadId");
  if (thread_id.empty() || thread_id.size() > kMaxCodexIdBytes ||
      thread_id == session.thread_id) {
    return;
  }
  auto it = sub_agents.find(thread_id);
  if (it == sub_agents.end()) {
    if (sub_agents.size() >= kMaxTrackedSubAgents) return;
    it = sub_agents.emplace(thread_id, "").first;
  }
  if (std::string path = StringMember(item, "agentPath"); !path.empty()) {
    it->second = SafeText(path, 256);
  }
}

void LiveSession::NoteSubAgentTurn(const std::string& thread_id,
                                   const std::string& codex_turn_id) {
  if (thread_id.size() > kMaxCodexIdBytes ||
      codex_turn_id.size() > kMaxCodexIdBytes ||
      (!sub_agent_turns.contains(thread_id) &&
       sub_agent_turns.size() >= kMaxTrackedSubAgents)) {
    return;
  }
  sub_agent_turns[thread_id] = codex_turn_id;
}

LiveSession* SessionRegistry::LongestIdle() {
  // Stopping a session ends what its agent left running (a dev server):
  // one without such processes goes first.
  auto before = [](const LiveSession* a, const LiveSession* b) {
    if (a->open_commands.empty() != b->open_commands.empty()) {
      return a->open_commands.empty();
    }
    return a->last_activity < b->last_activity;
  };
  LiveSession* oldest = nullptr;
  for (auto& [id, live] : by_id_) {
    if (live->session.state != SessionState::kIdle ||
        !live->approvals.empty() || live->reverting) {
      continue;
    }
    if (oldest == nullptr || before(live.get(), oldest)) oldest = live.get();
  }
  return oldest;
}

std::vector<std::string> SessionRegistry::IdleFor(absl::Duration timeout,
                                                  absl::Time now) const {
  std::vector<std::string> idle;
  for (const auto& [id, live] : by_id_) {
    if (live->session.state == SessionState::kIdle &&
        live->approvals.empty() && live->turns.empty() && !live->reverting &&
        live->open_commands.empty() && now - live->last_activity >= timeout) {
      idle.push_back(id);
    }
  }
  return idle;
}

std::vector<WatchedTurn> SessionRegistry::RunningTurns() const {
  std::vector<WatchedTurn> turns;
  for (const auto& [id, live] : by_id_) {
    if (live->turns.running() == nullptr) continue;
    turns.push_back({id, live->last_activity,
                     live->turns.interrupt_deadline(),
                     !live->approvals.empty()});
  }
  return turns;
}

}  // namespace codex_manager
