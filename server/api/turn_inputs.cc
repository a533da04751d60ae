#include "api/turn_inputs.h"

namespace codex_manager {

TurnInputs::Said TurnInputs::Add(const v1::Event& event) {
  if (event.type() == v1::EVENT_TYPE_TURN_STATE_CHANGED) {
    const v1::TurnStateChanged& t = event.turn_state_changed();
    if (t.state() == v1::TURN_STATE_QUEUED) {
      turns_[t.turn_id()].prompt_said = true;
    } else if (t.state() == v1::TURN_STATE_COMPLETED ||
               t.state() == v1::TURN_STATE_FAILED ||
               t.state() == v1::TURN_STATE_INTERRUPTED) {
      turns_.erase(t.turn_id());  // a long session keeps no ended turns
    }
    return Said::kNothing;
  }
  // A sub-agent's input is its spawner's, not a person's.
  if ((event.type() != v1::EVENT_TYPE_ITEM_STARTED &&
       event.type() != v1::EVENT_TYPE_ITEM_COMPLETED) ||
      event.has_sub_agent()) {
    return Said::kNothing;
  }
  const v1::Item& item = event.item();
  Turn& turn = turns_[event.turn_id()];
  if (item.item_type() == "enteredReviewMode") turn.reviewing = true;
  if (item.item_type() != "userMessage" || turn.reviewing) {
    return Said::kNothing;
  }
  if (event.type() == v1::EVENT_TYPE_ITEM_COMPLETED) {
    // Its start said it (or was its turn's prompt): once per item.
    if (items_.erase(item.item_id()) > 0) return Said::kNothing;
  } else {
    items_.insert(item.item_id());
  }
  const bool first = !turn.first_seen;
  turn.first_seen = true;
  if (!turn.prompt_said) return Said::kUnplaced;
  return first ? Said::kNothing : Said::kSteer;
}

}  // namespace codex_manager
