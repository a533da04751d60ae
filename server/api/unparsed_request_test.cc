#include "api/unparsed_request.h"

#include <gtest/gtest.h>

#include <string>

#include "api/library_logs.h"
#include "codex_manager/v1/sessions.pb.h"
#include "codex_manager/v1/turns.pb.h"

namespace codex_manager {
namespace {

constexpr char kStartTurn[] = "/codex_manager.v1.TurnService/StartTurn";
constexpr char kStartReview[] = "/codex_manager.v1.TurnService/StartReview";

// The generated pool knows the files linked in: a test binary links
// turns.pb.o only if it uses something of it (the server links them all).
class UnparsedRequestTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(v1::StartTurnRequest::descriptor(), nullptr); }
};

TEST_F(UnparsedRequestTest, NamesTheFieldThatIsNotUtf8) {
  const absl::Status status = UnparsedRequestStatus(
      kStartTurn, "codex_manager.v1.StartTurnRequest.prompt");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "prompt: not valid UTF-8 (codex_manager.v1.StartTurnRequest.prompt "
            "is a Protobuf string, which must be UTF-8)");
}

TEST_F(UnparsedRequestTest, NamesAFieldOfAMessageTheRequestHolds) {
  const absl::Status status = UnparsedRequestStatus(
      kStartReview, "codex_manager.v1.ReviewTarget.custom_instructions");
  EXPECT_EQ(status.message(),
            "custom_instructions: not valid UTF-8 "
            "(codex_manager.v1.ReviewTarget.custom_instructions is a Protobuf "
            "string, which must be UTF-8)");
}

// A field some other request holds (left by another call's parse on the
// thread) is not this request's: the message names the request instead.
TEST_F(UnparsedRequestTest, AFieldTheRequestDoesNotHoldIsNotNamed) {
  for (const char* field :
       {"codex_manager.v1.GetSessionRequest.session_id", "no.such.field", ""}) {
    const absl::Status status = UnparsedRequestStatus(kStartTurn, field);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(),
              "request: not a valid codex_manager.v1.StartTurnRequest (gRPC "
              "could not parse its Protobuf encoding)")
        << field;
  }
}

TEST_F(UnparsedRequestTest, AnUnknownMethodNamesNoType) {
  EXPECT_EQ(UnparsedRequestStatus("/no.Such/Method", "").message(),
            "request: not a valid message (gRPC could not parse its Protobuf "
            "encoding)");
}

// Protobuf's own complaint, as the installed handler gets it from a real
// parse, is kept for the thread that parsed, once.
TEST(LibraryLogsTest, AParseOfAStringThatIsNotUtf8KeepsItsField) {
  RouteLibraryLogs();
  v1::GetSessionRequest request;
  request.set_session_id("ses_x");
  std::string bytes = request.SerializeAsString();
  bytes[bytes.size() - 1] = '\xff';
  v1::GetSessionRequest parsed;
  EXPECT_FALSE(parsed.ParseFromString(bytes));
  EXPECT_EQ(TakeInvalidUtf8Field(), "codex_manager.v1.GetSessionRequest.session_id");
  EXPECT_EQ(TakeInvalidUtf8Field(), "");
}

TEST(LibraryLogsTest, OtherMessagesAreLoggedNotKept) {
  HandleProtobufMessage(2,  // LOGLEVEL_ERROR
                        "wire_format_lite.cc:618",
                        "String field 'codex_manager.v1.StartTurnRequest.prompt' "
                        "contains invalid UTF-8 data when serializing a "
                        "protocol buffer.");
  HandleProtobufMessage(1, "x.cc:1", "something else");
  EXPECT_EQ(TakeInvalidUtf8Field(), "");
}

}  // namespace
}  // namespace codex_manager
