#include "core/turn_queue.h"

#include <utility>

namespace codex_manager {

std::optional<Turn> TurnQueue::StartNext(absl::Time now) {
  if (running_ || queue_.empty()) return std::nullopt;
  Turn turn = std::move(queue_.front());
  queue_.pop_front();
  turn.state = TurnState::kRunning;
  turn.start_time = now;
  Run(turn);
  return turn;
}

void TurnQueue::Run(Turn turn) {
  running_ = std::move(turn);
  interrupt_pending_ = false;
  interrupt_deadline_.reset();
}

std::optional<Turn> TurnQueue::Unqueue(const std::string& turn_id) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->turn_id == turn_id) {
      Turn turn = std::move(*it);
      queue_.erase(it);
      return turn;
    }
  }
  return std::nullopt;
}

std::deque<Turn> TurnQueue::TakeQueued() { return std::exchange(queue_, {}); }

std::optional<Turn> TurnQueue::TakeRunning() {
  std::optional<Turn> turn = std::move(running_);
  running_.reset();
  interrupt_pending_ = false;
  interrupt_deadline_.reset();
  return turn;
}

bool TurnQueue::Adopt(Turn turn) {
  if (running_) return false;
  turn_ids_[turn.codex_turn_id] = turn.turn_id;
  Run(std::move(turn));
  return true;
}

std::optional<Turn> TurnQueue::Accept(const std::string& turn_id,
                                      const std::string& codex_turn_id) {
  if (!IsRunning(turn_id)) return std::nullopt;
  running_->codex_turn_id = codex_turn_id;
  turn_ids_[codex_turn_id] = turn_id;
  return *running_;
}

bool TurnQueue::RunsCodexTurn(const std::string& codex_turn_id) const {
  return running_ && (running_->codex_turn_id.empty() ||
                      running_->codex_turn_id == codex_turn_id);
}

std::string TurnQueue::OurTurnId(const std::string& codex_turn_id) const {
  if (codex_turn_id.empty()) return "";
  auto it = turn_ids_.find(codex_turn_id);
  if (it != turn_ids_.end()) return it->second;
  // Codex names a turn before `turn/start` answered only for the running
  // one.
  if (running_ && running_->codex_turn_id.empty()) return running_->turn_id;
  return "";
}

void TurnQueue::SetFinalMessage(const std::string& turn_id,
                                const std::string& text) {
  if (IsRunning(turn_id)) running_->final_message = text;
}

std::string TurnQueue::RequestInterrupt(absl::Time deadline) {
  if (!interrupt_deadline_) interrupt_deadline_ = deadline;
  if (running_->codex_turn_id.empty()) {
    interrupt_pending_ = true;
    return "";
  }
  return running_->codex_turn_id;
}

bool TurnQueue::TakePendingInterrupt() {
  return std::exchange(interrupt_pending_, false);
}

}  // namespace codex_manager
