// Which userMessage items a transcript says: a person's steers, not the
// echo of a prompt already said, not a review's own prompt, each once.
#include "api/turn_inputs.h"

#include <string>

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using Said = TurnInputs::Said;

v1::Event Turn(const std::string& turn_id, v1::TurnState state) {
  v1::Event e;
  e.set_type(v1::EVENT_TYPE_TURN_STATE_CHANGED);
  e.set_turn_id(turn_id);
  e.mutable_turn_state_changed()->set_turn_id(turn_id);
  e.mutable_turn_state_changed()->set_state(state);
  return e;
}

v1::Event Item(v1::EventType type, const std::string& turn_id,
               const std::string& item_type, const std::string& item_id) {
  v1::Event e;
  e.set_type(type);
  e.set_turn_id(turn_id);
  e.mutable_item()->set_item_type(item_type);
  e.mutable_item()->set_item_id(item_id);
  return e;
}

// Both halves of an item, as Codex sends them: what the pair says.
Said Both(TurnInputs& inputs, const std::string& turn_id,
          const std::string& item_type, const std::string& item_id) {
  const Said started =
      inputs.Add(Item(v1::EVENT_TYPE_ITEM_STARTED, turn_id, item_type, item_id));
  const Said completed = inputs.Add(
      Item(v1::EVENT_TYPE_ITEM_COMPLETED, turn_id, item_type, item_id));
  EXPECT_EQ(completed, Said::kNothing) << item_id << ": said once";
  return started;
}

TEST(TurnInputsTest, APromptsEchoIsNotSaidAndASteerIs) {
  TurnInputs inputs;
  EXPECT_EQ(inputs.Add(Turn("t1", v1::TURN_STATE_QUEUED)), Said::kNothing);
  EXPECT_EQ(inputs.Add(Turn("t1", v1::TURN_STATE_RUNNING)), Said::kNothing);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u1"), Said::kNothing);
  EXPECT_EQ(Both(inputs, "t1", "agentMessage", "a1"), Said::kNothing);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u2"), Said::kSteer);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u3"), Said::kSteer);
  // The next turn's prompt echo is that turn's first again.
  inputs.Add(Turn("t1", v1::TURN_STATE_COMPLETED));
  inputs.Add(Turn("t2", v1::TURN_STATE_QUEUED));
  EXPECT_EQ(Both(inputs, "t2", "userMessage", "u4"), Said::kNothing);
}

TEST(TurnInputsTest, AReviewsOwnPromptIsNotAPersons) {
  TurnInputs inputs;
  inputs.Add(Turn("t1", v1::TURN_STATE_QUEUED));
  EXPECT_EQ(Both(inputs, "t1", "enteredReviewMode", "r1"), Said::kNothing);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u1"), Said::kNothing);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u2"), Said::kNothing);
}

TEST(TurnInputsTest, InputOfATurnBegunBeforeTheStreamIsUnplaced) {
  TurnInputs inputs;
  // From a cursor past the turn's QUEUED: its prompt was never said.
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u1"), Said::kUnplaced);
  EXPECT_EQ(Both(inputs, "t1", "userMessage", "u2"), Said::kUnplaced);
  // An item whose start came before the cursor: said at its completion.
  EXPECT_EQ(inputs.Add(Item(v1::EVENT_TYPE_ITEM_COMPLETED, "t1", "userMessage",
                            "u3")),
            Said::kUnplaced);
}

}  // namespace
}  // namespace codex_manager
