// What a USER_INPUT or MCP_ELICITATION approval asks a person, read from
// the approval: a USER_INPUT's `params_json` questions (Codex
// ToolRequestUserInputParams: id, header, question, options, isOther,
// isSecret) and an MCP_ELICITATION's `requested_schema_json` form
// properties (name, title, description, enum / oneOf const, boolean,
// required). Both come from the runtime, so anything of the wrong type
// reads as empty and nothing here throws.
#ifndef CODEX_MANAGER_CLI_QUESTIONS_H_
#define CODEX_MANAGER_CLI_QUESTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "codex_manager/v1/approvals.pb.h"

namespace codex_manager::cli {

struct Question {
  // The answer's key in ResolveApprovalRequest.answers: a question id or a
  // form property name.
  std::string id;
  std::string header;  // a short title ("Storage"); may be empty
  std::string text;    // the question itself; may be empty
  // The choices, label then description; an answer is one of the labels
  // unless `other`.
  std::vector<std::pair<std::string, std::string>> options;
  bool other = true;      // any text answers it
  bool secret = false;    // not echoed, not put on a command line
  bool required = false;  // a form field the form cannot go without
};

// The questions of `approval` (a request's in its order, a form's fields
// by name); none for other kinds or params that say none.
std::vector<Question> QuestionsOf(const v1::Approval& approval);

// The answer `line` (as typed) gives `question`: an option's number
// ("1"…) is its label, else the line is the answer as is. Empty when the
// line is empty or is neither an option nor allowed as another answer.
std::string AnswerFromLine(const Question& question, const std::string& line);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_QUESTIONS_H_
