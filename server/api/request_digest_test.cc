#include "api/request_digest.h"

#include <gtest/gtest.h>

#include "codex_manager/v1/turns.pb.h"

namespace codex_manager {
namespace {

Caller Operator(const std::string& token_id) {
  Caller caller;
  caller.token_id = token_id;
  caller.method = "/codex_manager.v1.TurnService/StartTurn";
  return caller;
}

v1::StartTurnRequest Request(const std::string& session_id,
                             const std::string& prompt) {
  v1::StartTurnRequest request;
  request.set_session_id(session_id);
  request.set_prompt(prompt);
  request.set_request_id("turn-1");
  return request;
}

std::string Digest(const Caller& caller, const v1::StartTurnRequest& request) {
  return WithRequestDigest(caller, request, request.request_id())
      .request_digest;
}

TEST(RequestDigestTest, OnlyTheSameCallByTheSameTokenHasTheSameDigest) {
  const std::string digest = Digest(Operator("tok_a"), Request("ses_1", "hi"));
  EXPECT_EQ(digest.size(), 64u);
  EXPECT_EQ(Digest(Operator("tok_a"), Request("ses_1", "hi")), digest);
  EXPECT_NE(Digest(Operator("tok_b"), Request("ses_1", "hi")), digest);
  EXPECT_NE(Digest(Operator("tok_a"), Request("ses_2", "hi")), digest);
  EXPECT_NE(Digest(Operator("tok_a"), Request("ses_1", "hi!")), digest);
  Caller review = Operator("tok_a");
  review.method = "/codex_manager.v1.TurnService/StartReview";
  EXPECT_NE(Digest(review, Request("ses_1", "hi")), digest);
  v1::StartTurnRequest with_model = Request("ses_1", "hi");
  with_model.set_model("gpt-5");
  EXPECT_NE(Digest(Operator("tok_a"), with_model), digest);
}

TEST(RequestDigestTest, PiecesCannotBeShiftedIntoEachOther) {
  // Each piece is length-prefixed: a token id ending where a method would
  // have gone gives another digest.
  Caller a = Operator("tok_a");
  a.method = "m";
  a.token_id = "xy";
  Caller b = Operator("tok_a");
  b.method = "mx";
  b.token_id = "y";
  EXPECT_NE(Digest(a, Request("ses_1", "hi")),
            Digest(b, Request("ses_1", "hi")));
}

TEST(RequestDigestTest, ACallWithoutAKeyHasNone) {
  v1::StartTurnRequest request = Request("ses_1", "hi");
  request.clear_request_id();
  EXPECT_EQ(WithRequestDigest(Operator("tok_a"), request, request.request_id())
                .request_digest,
            "");
}

}  // namespace
}  // namespace codex_manager
