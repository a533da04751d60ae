#include "api/convert.h"

#include <gtest/gtest.h>

namespace codex_manager {
namespace {

TEST(PageTokenTest, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(EncodePageToken(0), "");
  EXPECT_EQ(*DecodePageToken(""), 0);
  EXPECT_EQ(*DecodePageToken(EncodePageToken(42)), 42);
  for (const char* bad : {"42", "!!", "djEu", "djEuLTE"}) {  // "v1." "v1.-1"
    absl::StatusOr<int64_t> got = DecodePageToken(bad);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(got.status().message().find("page_token"),
              absl::string_view::npos);
  }
}

TEST(PageTokenTest, PageSizeBounds) {
  EXPECT_EQ(ToPageRequest(0, "")->limit, 100);
  EXPECT_EQ(ToPageRequest(1000, "")->limit, 1000);
  EXPECT_EQ(ToPageRequest(1001, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToPageRequest(-1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EventToProtoTest, CommandItemLiftsFields) {
  Event e;
  e.event_id = 7;
  e.session_id = "ses_a";
  e.session_seq = 3;
  e.turn_id = "turn_a";
  e.type = EventType::kItemCompleted;
  e.create_time = absl::FromUnixMillis(1500);
  e.payload = {{"item",
                {{"type", "commandExecution"},
                 {"id", "c1"},
                 {"command", "ls"},
                 {"cwd", "/p"},
                 {"status", "completed"},
                 {"exitCode", 0},
                 {"aggregatedOutput", "a\nb\n"}}}};
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.event_id(), 7);
  EXPECT_EQ(out.session_seq(), 3);
  EXPECT_EQ(out.type(), v1::EVENT_TYPE_ITEM_COMPLETED);
  EXPECT_EQ(out.create_time().seconds(), 1);
  EXPECT_EQ(out.create_time().nanos(), 500000000);
  ASSERT_TRUE(out.has_item());
  EXPECT_EQ(out.item().command(), "ls");
  EXPECT_TRUE(out.item().has_exit_code());
  EXPECT_EQ(out.item().exit_code(), 0);
  EXPECT_EQ(out.item().aggregated_output(), "a\nb\n");
  EXPECT_FALSE(out.item().item_json().empty());
}

TEST(EventToProtoTest, ApprovalAndRawPayloads) {
  Approval a;
  a.approval_id = "apr_1";
  a.kind = ApprovalKind::kCommandExecution;
  a.state = ApprovalState::kPending;
  a.command = "rm -rf build";
  Event e;
  e.type = EventType::kApprovalRequested;
  e.payload = {{"approval", ApprovalToJson(a)}};
  v1::Event out;
  ToProto(e, &out);
  EXPECT_EQ(out.approval_requested().approval().approval_id(), "apr_1");
  EXPECT_EQ(out.approval_requested().approval().command(), "rm -rf build");
  EXPECT_EQ(out.approval_requested().approval().state(),
            v1::APPROVAL_STATE_PENDING);

  Event raw;
  raw.type = EventType::kRaw;
  raw.payload = {{"method", "turn/plan/updated"}, {"params", {{"x", 1}}}};
  v1::Event raw_out;
  ToProto(raw, &raw_out);
  EXPECT_EQ(raw_out.raw().method(), "turn/plan/updated");
  EXPECT_EQ(raw_out.raw().params_json(), R"({"x":1})");
}

}  // namespace
}  // namespace codex_manager
