// What a person said in each turn, as a transcript tells it from the event
// stream. A turn's prompt is said by its TURN_STATE_CHANGED QUEUED event
// (TurnStateChanged.prompt); Codex then echoes it as the turn's first
// `userMessage` item. Text added while the turn runs (SteerTurn, Codex's
// `turn/steer`) arrives only as a later `userMessage` item of the same
// turn. Inside a review (after its `enteredReviewMode` item) the
// `userMessage` is Codex's own review prompt, not a person's; nor is a
// sub-agent's (Event.sub_agent), which its spawner gave it.
//
// Shared by the CLI's transcript (`codex-manager events`) and the Markdown
// export (api/transcript_markdown.h), so both say steers alike.
#ifndef CODEX_MANAGER_SERVER_API_TURN_INPUTS_H_
#define CODEX_MANAGER_SERVER_API_TURN_INPUTS_H_

#include <map>
#include <set>
#include <string>

#include "codex_manager/v1/events.pb.h"

namespace codex_manager {

class TurnInputs {
 public:
  enum class Said {
    kNothing,  // not a person's input, or said already
    // Text a person added to a running turn whose prompt this stream
    // showed (SteerTurn).
    kSteer,
    // A person's input in a turn whose start this stream did not show (it
    // began before the cursor): the prompt, or a steer.
    kUnplaced,
  };

  // Feeds each event of one session's stream, in order. For an
  // ITEM_STARTED / ITEM_COMPLETED of a `userMessage` seen the first time,
  // says whether its text (Item.text) is for the reader; kNothing for
  // every other event.
  Said Add(const v1::Event& event);

 private:
  struct Turn {
    bool prompt_said = false;  // its QUEUED event was seen
    bool reviewing = false;    // its enteredReviewMode item was seen
    bool first_seen = false;   // a userMessage of it was seen
  };
  std::map<std::string, Turn> turns_;  // by turn id
  std::set<std::string> items_;        // userMessage item ids seen
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_TURN_INPUTS_H_
