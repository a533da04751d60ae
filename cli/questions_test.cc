#include "questions.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "render.h"

namespace codex_manager::cli {
namespace {

// item/tool/requestUserInput params as tests/fake_codex sends them, with a
// question that takes only its options.
v1::Approval UserInput() {
  v1::Approval a;
  a.set_approval_id("apr_1");
  a.set_kind(v1::APPROVAL_KIND_USER_INPUT);
  a.set_method("item/tool/requestUserInput");
  a.set_params_json(R"({"questions":[
      {"id":"lang","header":"Language","question":"Which language?",
       "isOther":true,"options":[{"label":"Python","description":"the default"},
                                 {"label":"Go","description":""}]},
      {"id":"size","header":"Size","question":"How big?","isOther":false,
       "options":[{"label":"S","description":"small"},{"label":"L"}]},
      {"id":"key","header":"API key","question":"The key","isSecret":true,
       "options":null},
      {"header":"no id: left out"}, 7]})");
  return a;
}

TEST(QuestionsTest, AUserInputRequestsQuestions) {
  const std::vector<Question> q = QuestionsOf(UserInput());
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].id, "lang");
  EXPECT_EQ(q[0].header, "Language");
  EXPECT_EQ(q[0].text, "Which language?");
  EXPECT_TRUE(q[0].other);
  ASSERT_EQ(q[0].options.size(), 2u);
  EXPECT_EQ(q[0].options[0],
            (std::pair<std::string, std::string>{"Python", "the default"}));
  EXPECT_FALSE(q[1].other);
  EXPECT_TRUE(q[2].other);  // no options: any text
  EXPECT_TRUE(q[2].secret);
  EXPECT_FALSE(q[0].required);
}

TEST(QuestionsTest, AFormsFields) {
  v1::Approval a;
  a.set_kind(v1::APPROVAL_KIND_MCP_ELICITATION);
  a.set_requested_schema_json(R"({"type":"object","required":["title"],
      "properties":{"title":{"type":"string","title":"Title"},
                    "urgent":{"type":"boolean"},
                    "tier":{"type":"string","oneOf":[{"const":"free","title":"Free"}]},
                    "size":{"type":"string","enum":["s","m"]}}})");
  std::vector<Question> q = QuestionsOf(a);
  ASSERT_EQ(q.size(), 4u);
  // nlohmann's object order: by name.
  EXPECT_EQ(q[0].id, "size");
  EXPECT_FALSE(q[0].other);
  EXPECT_EQ(q[1].id, "tier");
  EXPECT_EQ(q[1].options[0].second, "Free");
  EXPECT_EQ(q[2].id, "title");
  EXPECT_TRUE(q[2].required);
  EXPECT_TRUE(q[2].other);
  EXPECT_EQ(q[3].id, "urgent");
  EXPECT_EQ(q[3].options.size(), 2u);
  // Whatever the runtime sent that is not a form is none.
  for (const char* schema : {"", "[]", R"({"properties":[1]})", "{\"a\":"}) {
    a.set_requested_schema_json(schema);
    EXPECT_TRUE(QuestionsOf(a).empty()) << schema;
  }
  a.set_kind(v1::APPROVAL_KIND_COMMAND_EXECUTION);
  EXPECT_TRUE(QuestionsOf(a).empty());
}

TEST(QuestionsTest, ALineAnswersByNumberLabelOrText) {
  const std::vector<Question> q = QuestionsOf(UserInput());
  EXPECT_EQ(AnswerFromLine(q[0], "2"), "Go");
  EXPECT_EQ(AnswerFromLine(q[0], " Python \n"), "Python");
  EXPECT_EQ(AnswerFromLine(q[0], "Rust"), "Rust");
  EXPECT_EQ(AnswerFromLine(q[0], ""), "");
  EXPECT_EQ(AnswerFromLine(q[1], "1"), "S");
  EXPECT_EQ(AnswerFromLine(q[1], "L"), "L");
  EXPECT_EQ(AnswerFromLine(q[1], "XL"), "");  // only its options
  EXPECT_EQ(AnswerFromLine(q[1], "3"), "");
  EXPECT_EQ(AnswerFromLine(q[2], "s3cret"), "s3cret");
}

TEST(QuestionsTest, AQuestionIsShownWithHowToAnswerIt) {
  std::ostringstream out;
  PrintApprovalRequest(out, UserInput(), "", "  ");
  EXPECT_EQ(out.str(),
            "? approval apr_1 — Codex asks:\n"
            "    lang (Language): Which language?\n"
            "      Python — the default\n"
            "      Go\n"
            "      or another answer\n"
            "    size (Size): How big?\n"
            "      S — small\n"
            "      L\n"
            "    key (API key, secret): The key\n"
            "  answer: codex-manager approval answer apr_1 lang=… size=… "
            "--stdin key\n");
  v1::ListApprovalsResponse list;
  *list.add_approvals() = UserInput();
  testing::internal::CaptureStdout();
  PrintApprovalTable(list);
  const std::string table = testing::internal::GetCapturedStdout();
  EXPECT_NE(table.find("Codex asks: Which language? (+2 more)"),
            std::string::npos)
      << table;
  // A question with only a header is listed by it.
  list.mutable_approvals(0)->set_params_json(
      R"({"questions":[{"id":"s","header":"Storage"}]})");
  testing::internal::CaptureStdout();
  PrintApprovalTable(list);
  const std::string headed = testing::internal::GetCapturedStdout();
  EXPECT_NE(headed.find("Codex asks: Storage\n"), std::string::npos) << headed;
  // Params that ask nothing readable are shown as they are.
  v1::Approval odd = UserInput();
  odd.set_params_json(R"({"questions":"?"})");
  std::ostringstream raw;
  PrintApprovalRequest(raw, odd, "", "  ");
  EXPECT_EQ(raw.str(),
            "? approval apr_1 — item/tool/requestUserInput\n"
            "  | {\"questions\":\"?\"}\n");
}

}  // namespace
}  // namespace codex_manager::cli
