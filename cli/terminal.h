// Standard input as the CLI reads answers and secrets from it.
#ifndef CODEX_MANAGER_CLI_TERMINAL_H_
#define CODEX_MANAGER_CLI_TERMINAL_H_

#include <string>

namespace codex_manager::cli {

// Writes `prompt` to stderr, then reads one line of standard input, without
// its "\n" (or "\r\n"). When `secret` and standard input is a terminal,
// echo is off from before the prompt (so nothing typed after it shows) to
// the end of the line, and a newline follows on stderr. False at the end of
// input.
bool ReadLine(const std::string& prompt, bool secret, std::string* line);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_TERMINAL_H_
