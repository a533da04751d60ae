#include "questions.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace codex_manager::cli {
namespace {

using json = nlohmann::json;

const json& Member(const json& object, const char* key) {
  static const json* const kNull = new json();
  if (!object.is_object()) return *kNull;
  auto it = object.find(key);
  return it == object.end() ? *kNull : *it;
}

std::string Str(const json& object, const char* key) {
  const json& v = Member(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::vector<Question> UserInputQuestions(const json& params) {
  std::vector<Question> out;
  const json& questions = Member(params, "questions");
  if (!questions.is_array()) return out;
  for (const json& q : questions) {
    if (Str(q, "id").empty()) continue;
    Question question;
    question.id = Str(q, "id");
    question.header = Str(q, "header");
    question.text = Str(q, "question");
    question.secret = Member(q, "isSecret") == true;
    const json& options = Member(q, "options");
    if (options.is_array()) {
      for (const json& o : options) {
        if (!Str(o, "label").empty()) {
          question.options.emplace_back(Str(o, "label"), Str(o, "description"));
        }
      }
    }
    question.other = question.options.empty() || Member(q, "isOther") == true;
    out.push_back(std::move(question));
  }
  return out;
}

std::vector<Question> FormQuestions(const json& schema) {
  std::vector<Question> out;
  const json& properties = Member(schema, "properties");
  if (!properties.is_object()) return out;
  std::vector<std::string> required;
  const json& names = Member(schema, "required");
  if (names.is_array()) {
    for (const json& n : names) {
      if (n.is_string()) required.push_back(n.get<std::string>());
    }
  }
  for (const auto& [name, property] : properties.items()) {
    Question question;
    question.id = name;
    question.header = Str(property, "title");
    question.text = Str(property, "description");
    question.required =
        std::find(required.begin(), required.end(), name) != required.end();
    const json& values = Member(property, "enum");
    if (values.is_array()) {
      for (const json& v : values) {
        if (v.is_string())
          question.options.emplace_back(v.get<std::string>(), "");
      }
    }
    const json& one_of = Member(property, "oneOf");
    if (one_of.is_array()) {
      for (const json& o : one_of) {
        if (!Str(o, "const").empty()) {
          question.options.emplace_back(Str(o, "const"), Str(o, "title"));
        }
      }
    }
    if (Str(property, "type") == "boolean") {
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
