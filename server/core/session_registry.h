// SessionRegistry: the sessions that have a runtime (live), found by
// session id or by their runtime, and the choices made over all of them:
// which one to stop to make room (--max-live-sessions), which are idle
// past --idle-timeout, which turns the watchdog looks at.
//
// Not thread-safe: SessionManager's mutex guards it.
#ifndef CODEX_MANAGER_SERVER_CORE_SESSION_REGISTRY_H_
#define CODEX_MANAGER_SERVER_CORE_SESSION_REGISTRY_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/time/time.h"
#include "core/pending_approvals.h"
#include "core/runtime.h"
#include "core/turn_queue.h"
#include "core/turn_watchdog.h"
#include "core/types.h"

namespace codex_manager {

// A session with a runtime. The in-memory copies are authoritative while
// the runtime lives; every change to them is also committed.
struct LiveSession {
  Session session;
  std::unique_ptr<Runtime> runtime;
  TurnQueue turns;
  PendingApprovals approvals;
  // The last output of its runtime, or request of a client.
  absl::Time last_activity;
  // Command items started and not completed. Between turns these are
  // background terminals: processes the agent left running, which end
  // with the runtime (background_terminals.h). At most
  // kMaxTrackedCommands; past that, new ones are not counted.
  std::set<std::string> open_commands;
  // A RevertSession waits for Codex's `thread/revert`: no queued turn
  // starts (DispatchNext) on the history being replaced.
  bool reverting = false;
  // CompactSession sent `thread/compact/start`: Codex runs the compaction
  // as a turn of its own, which is not one to adopt (AdoptCodexTurn takes
  // the next turn Codex starts by itself as the compaction's). Cleared by
  // that turn/started, or when a turn of ours starts.
  bool compaction_requested = false;
  // Codex's approval requests are being refused: kMaxPendingApprovals
  // wait already. The WARNING is emitted once each time it fills.
  bool approvals_full = false;
  // The sub-agents Codex runs for this session's agent (its multi-agent
  // tools: spawn_agent), by their thread id: each one's path ("/root/
  // helper", Codex's agentPath), "" until a subAgentActivity item names
  // it. At most kMaxTrackedSubAgents.
  std::map<std::string, std::string> sub_agents;
  // The turn each sub-agent runs (its turn/started, until its
  // turn/completed), by its thread id: an interrupt of the session's turn
  // interrupts them too. At most kMaxTrackedSubAgents.
  std::map<std::string, std::string> sub_agent_turns;
  // Notes a commandExecution item's start or end (item/started,
  // item/completed).
  void NoteCommand(const std::string& item_id, bool completed);
  // Notes what an item's start or end tells of the session's state: a
  // command (NoteCommand), a file change's diff (PendingApprovals), a
  // sub-agent (NoteSubAgent). The session's agent's, or a sub-agent's.
  void NoteItem(const nlohmann::json& item, bool completed);
  // Whether `thread_id` (a notification's `threadId`) is a sub-agent's
  // thread: another than the session's, once the session has its own.
  bool IsSubAgentThread(const std::string& thread_id) const;
  // Notes what a subAgentActivity item says of a sub-agent (its thread id
  // and path).
  void NoteSubAgent(const nlohmann::json& item);
  // Notes the turn a sub-agent's thread started (its turn/started).
  void NoteSubAgentTurn(const std::string& thread_id,
                        const std::string& codex_turn_id);
};

inline constexpr size_t kMaxTrackedCommands = 1000;
inline constexpr size_t kMaxTrackedSubAgents = 256;
// Longer thread or turn ids than this are not Codex's (UUIDs): not kept.
inline constexpr size_t kMaxCodexIdBytes = 128;

class SessionRegistry {
 public:
  int size() const { return static_cast<int>(by_id_.size()); }
  bool contains(const std::string& session_id) const {
    return by_id_.contains(session_id);
  }
  // nullptr when not live.
  LiveSession* Find(const std::string& session_id);
  LiveSession* Find(const Runtime* runtime);
  // `live` must have its session id and runtime set.
  LiveSession& Add(std::unique_ptr<LiveSession> live);
  // nullptr when not live.
  std::unique_ptr<LiveSession> Remove(const std::string& session_id);
  std::vector<std::string> ids() const;

  // The IDLE session with no approval waiting and no revert in flight that
  // has been idle longest
  // (the one to stop for room), one whose agent left no process running
  // first; nullptr when every session is busy.
  LiveSession* LongestIdle();
  // IDLE sessions with nothing queued, waiting or reverting and no process their
  // agent left running (open_commands), idle at least `timeout` at `now`.
  std::vector<std::string> IdleFor(absl::Duration timeout,
                                   absl::Time now) const;
  // The running turns, for the turn watchdog.
  std::vector<WatchedTurn> RunningTurns() const;

 private:
  std::unordered_map<std::string, std::unique_ptr<LiveSession>> by_id_;
  std::unordered_map<const Runtime*, LiveSession*> by_runtime_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_SESSION_REGISTRY_H_
