// What the CLI writes to a terminal is shown, never obeyed: everything it
// writes there goes through a VisibleText (common/visible_text.h), so the
// control characters in text from outside (Codex's replies and command
// output, the commands and diffs an approval asks about, an MCP server's
// questions) cannot move the cursor, clear or retitle the terminal, or
// hide part of what an approval asks. Output to a pipe or a file is left
// byte for byte.
#ifndef CODEX_MANAGER_CLI_TERMINAL_TEXT_H_
#define CODEX_MANAGER_CLI_TERMINAL_TEXT_H_

namespace codex_manager::cli {

// When standard output or standard error is a terminal, routes everything
// written to it, by printf and std::cout / std::cerr alike, through a
// VisibleText of its own. Call once, before anything is written.
void ShowTerminalTextOnly();

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_TERMINAL_TEXT_H_
