#include "api/id_fields.h"

#include <gtest/gtest.h>

#include <string>

#include "codex_manager/v1/sessions.pb.h"
#include "codex_manager/v1/turns.pb.h"

namespace codex_manager {
namespace {

TEST(IdFieldsTest, AnIdUpToTheLimitPasses) {
  v1::StartTurnRequest request;
  request.set_session_id(std::string(kMaxIdBytes, 's'));
  request.set_request_id("turn-1");
  request.set_prompt(std::string(100000, 'p'));  // not an id: not checked
  EXPECT_TRUE(CheckIdFields(request).ok());
  EXPECT_TRUE(CheckIdFields(v1::StartTurnRequest()).ok());
}

TEST(IdFieldsTest, ALongerIdIsInvalidArgumentNamingTheField) {
  v1::ForkSessionRequest request;
  request.set_session_id("ses_1");
  request.set_before_turn_id(std::string(1 << 20, 't'));
  absl::Status status = CheckIdFields(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "before_turn_id: at most 256 bytes, got 1048576");
}

TEST(IdFieldsTest, IdsInNestedAndRepeatedFieldsAreNamedByTheirPath) {
  v1::ListBackgroundTerminalsResponse terminals;
  terminals.add_terminals()->set_process_id("1");
  v1::BackgroundTerminal* second = terminals.add_terminals();
  second->set_process_id("2");
  second->set_item_id(std::string(kMaxIdBytes + 1, 'i'));
  EXPECT_EQ(CheckIdFields(terminals).message(),
            "terminals[1].item_id: at most 256 bytes, got 257");

  v1::RevertSessionResponse reverted;
  reverted.add_reverted_turn_ids("turn_1");
  reverted.add_reverted_turn_ids(std::string(300, 'x'));
  EXPECT_EQ(CheckIdFields(reverted).message(),
            "reverted_turn_ids[1]: at most 256 bytes, got 300");
}

}  // namespace
}  // namespace codex_manager
