#include "questions.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "common/json_access.h"
#include "nlohmann/json.hpp"

namespace codex_manager::cli {
namespace {

using json = nlohmann::json;

std::vector<Question> UserInputQuestions(const json& params) {
  std::vector<Question> out;
  for (const json& q : ArrayMember(params, "questions")) {
    Question question;
    question.id = StringMember(q, "id");
    if (question.id.empty()) continue;
    question.header = StringMember(q, "header");
    question.text = StringMember(q, "question");
    question.secret = BoolMember(q, "isSecret");
    for (const json& o : ArrayMember(q, "options")) {
      if (!StringMember(o, "label").empty()) {
        question.options.emplace_back(StringMember(o, "label"),
                                      StringMember(o, "description"));
      }
    }
    question.other = question.options.empty() || BoolMember(q, "isOther");
    out.push_back(std::move(question));
  }
  return out;
}

std::vector<Question> FormQuestions(const json& schema) {
  std::vector<Question> out;
  std::vector<std::string> required;
  for (const json& n : ArrayMember(schema, "required")) {
    if (n.is_string()) required.push_back(n.get<std::string>());
  }
  for (const auto& [name, property] :
       ObjectMember(schema, "properties").items()) {
    Question question;
    question.id = name;
    question.header = StringMember(property, "title");
    question.text = StringMember(property, "description");
    question.required =
        std::find(required.begin(), required.end(), name) != required.end();
    for (const json& v : ArrayMember(property, "enum")) {
      if (v.is_string())
        question.options.emplace_back(v.get<std::string>(), "");
    }
    for (const json& o : ArrayMember(property, "oneOf")) {
      if (!StringMember(o, "const").empty()) {
        question.options.emplace_back(StringMember(o, "const"),
                                      StringMember(o, "title"));
      }
    }
    if (StringMember(property, "type") == "boolean") {
      question.options = {{"true", ""}, {"false", ""}};
    }
    question.other = question.options.empty();
    out.push_back(std::move(question));
  }
  return out;
}

}  // namespace

std::vector<Question> QuestionsOf(const v1::Approval& approval) {
  switch (approval.kind()) {
    case v1::APPROVAL_KIND_USER_INPUT:
      return UserInputQuestions(
          json::parse(approval.params_json(), nullptr, false));
    case v1::APPROVAL_KIND_MCP_ELICITATION:
      return FormQuestions(
          json::parse(approval.requested_schema_json(), nullptr, false));
    default:
      return {};
  }
}

std::string AnswerFromLine(const Question& question, const std::string& line) {
  const std::string text(absl::StripAsciiWhitespace(line));
  if (text.empty()) return "";
  size_t number = 0;
  if (absl::SimpleAtoi(text, &number) && number >= 1 &&
      number <= question.options.size()) {
    return question.options[number - 1].first;
  }
  for (const auto& [label, description] : question.options) {
    if (label == text) return label;
  }
  return question.other ? text : "";
}

}  // namespace codex_manager::cli
