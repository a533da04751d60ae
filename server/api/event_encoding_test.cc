#include "api/event_encoding.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace codex_manager {
namespace {

EventPtr DeltaEvent(int64_t id, std::string text) {
  Event e;
  e.event_id = id;
  e.session_id = "ses_a";
  e.session_seq = id;
  e.turn_id = "turn_a";
  e.type = EventType::kAgentMessageDelta;
  e.create_time = absl::FromUnixMillis(1500 + id);
  e.payload = {{"item_id", "msg_1"}, {"text", std::move(text)}};
  return std::make_shared<const SharedEvent>(std::move(e));
}

TEST(EventEncodingTest, EncodesOncePerEvent) {
  EventPtr event = DeltaEvent(1, "hi");
  const EncodedEvent& first = EncodingOf(*event);
  const EncodedEvent& again = EncodingOf(*event);
  EXPECT_EQ(&first, &again);
  EXPECT_EQ(&first.wire(), &again.wire());
  EXPECT_EQ(first.proto().event_id(), 1);
  v1::Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(first.wire()));
  EXPECT_EQ(parsed.SerializeAsString(), first.proto().SerializeAsString());
}

TEST(EventEncodingTest, ABatchParsesAsItsEventsInOrder) {
  // Lengths that need a varint of one, two and three bytes.
  std::vector<EventPtr> events = {DeltaEvent(1, ""),
                                  DeltaEvent(2, std::string(300, 'x')),
                                  DeltaEvent(3, std::string(20000, 'y'))};
  std::string wire;
  for (const EventPtr& e : events) {
    AppendBatchElement(EncodingOf(*e).wire(), &wire);
  }
  v1::EventBatch batch;
  ASSERT_TRUE(batch.ParseFromString(wire));
  ASSERT_EQ(batch.events_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(batch.events(i).SerializeAsString(),
              EncodingOf(*events[i]).proto().SerializeAsString())
        << i;
  }
  EXPECT_EQ(batch.events(2).delta().text().size(), 20000u);
  // What protobuf itself writes for the same batch.
  v1::EventBatch expected;
  for (const EventPtr& e : events) {
    *expected.add_events() = EncodingOf(*e).proto();
  }
  EXPECT_EQ(wire, expected.SerializeAsString());
}

}  // namespace
}  // namespace codex_manager
