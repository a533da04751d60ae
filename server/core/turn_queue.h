// TurnQueue: one live session's turns as the scheduler sees them: the FIFO
// of QUEUED turns, the one RUNNING turn, Codex's ids for our turns, and the
// interrupt asked for the running turn (which the turn watchdog enforces).
// It decides what runs next and which turn a Codex notification belongs
// to; SessionManager commits what it decides and talks to the runtime.
//
// Not thread-safe: SessionManager's mutex guards it.
#ifndef CODEX_MANAGER_SERVER_CORE_TURN_QUEUE_H_
#define CODEX_MANAGER_SERVER_CORE_TURN_QUEUE_H_

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "core/types.h"

namespace codex_manager {

class TurnQueue {
 public:
  size_t queued() const { return queue_.size(); }
  bool empty() const { return queue_.empty() && !running_; }
  // The RUNNING turn, or nullptr.
  const Turn* running() const { return running_ ? &*running_ : nullptr; }
  // The running turn's id, or "".
  std::string running_id() const { return running_ ? running_->turn_id : ""; }
  bool IsRunning(const std::string& turn_id) const {
    return running_ && running_->turn_id == turn_id;
  }

  void Enqueue(Turn turn) { queue_.push_back(std::move(turn)); }
  // The oldest QUEUED turn becomes the running one (RUNNING, started at
  // `now`) and is returned; nullopt while a turn runs or none waits.
  std::optional<Turn> StartNext(absl::Time now);
  // Takes a QUEUED turn out of the queue; nullopt when it is not queued.
  std::optional<Turn> Unqueue(const std::string& turn_id);
  // Takes every QUEUED turn, oldest first.
  std::deque<Turn> TakeQueued();
  // Takes the running turn (it ended); nullopt when none runs.
  std::optional<Turn> TakeRunning();
  // A turn Codex started by itself (RUNNING, with its Codex id) becomes
  // the running one. False, and nothing changes, while a turn runs.
  bool Adopt(Turn turn);

  // Codex named `turn_id` (the running turn) `codex_turn_id`. Returns the
  // turn as it now is, or nullopt when `turn_id` is not running.
  std::optional<Turn> Accept(const std::string& turn_id,
                             const std::string& codex_turn_id);
  // Whether `codex_turn_id` is the running turn's (or the running turn has
  // no Codex id yet, so Codex may be naming it for the first time).
  bool RunsCodexTurn(const std::string& codex_turn_id) const;
  // Our turn id for a Codex turn id: a turn Codex named, or the running
  // turn before Codex named it; "" for the session's own notifications.
  std::string OurTurnId(const std::string& codex_turn_id) const;
  // The running turn's last agentMessage (its final message so far).
  void SetFinalMessage(const std::string& turn_id, const std::string& text);

  // An interrupt of the running turn (there must be one): arms `deadline`
  // unless an earlier interrupt already did. Returns the Codex turn id to
  // send `turn/interrupt` for, or "" when Codex has not named the turn yet
  // (Accept then says so, and it is sent).
  std::string RequestInterrupt(absl::Time deadline);
  // When the running turn must have ended after an interrupt.
  std::optional<absl::Time> interrupt_deadline() const {
    return interrupt_deadline_;
  }
  // Accept's caller: an interrupt waits for the Codex turn id; clears it.
  bool TakePendingInterrupt();

 private:
  // `turn` becomes the running one, with no interrupt asked for yet.
  void Run(Turn turn);

  std::deque<Turn> queue_;
  std::optional<Turn> running_;
  bool interrupt_pending_ = false;
  std::optional<absl::Time> interrupt_deadline_;
  // Codex turn id -> our turn id.
  std::map<std::string, std::string> turn_ids_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_TURN_QUEUE_H_
