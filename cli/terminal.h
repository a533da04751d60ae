// Standard input as the CLI reads answers and secrets from it.
#ifndef CODEX_MANAGER_CLI_TERMINAL_H_
#define CODEX_MANAGER_CLI_TERMINAL_H_

#include <string>

namespace codex_manager::cli {

// One line of standard input, without its "\n" (or "\r\n"). When `secret`
// and standard input is a terminal, what is typed is not echoed (a newline
// goes to stderr after it). False at the end of input.
bool ReadLine(bool secret, std::string* line);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_TERMINAL_H_
