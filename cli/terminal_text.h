// What the CLI writes to a terminal is shown, never obeyed: the control
// characters in text from outside (Codex's replies and command output, the
// commands and diffs an approval asks about, an MCP server's questions) are
// written as visible text, so nothing a runtime prints can move the cursor,
// clear or retitle the terminal, or hide part of what an approval asks
// behind a carriage return or a right-to-left override ("Trojan Source",
// CVE-2021-42574). Output to a pipe or a file is left byte for byte.
#ifndef CODEX_MANAGER_CLI_TERMINAL_TEXT_H_
#define CODEX_MANAGER_CLI_TERMINAL_TEXT_H_

#include <string>
#include <string_view>

namespace codex_manager::cli {

// Rewrites a byte stream, fed in pieces of any size, for a terminal:
// - C0 controls but tab and newline, and DEL, in caret notation, as `cat
//   -v` and `less` show them: ESC "^[", BEL "^G", DEL "^?"; a carriage
//   return "^M", but one before a newline is dropped ("\r\n" ends a line);
// - the C1 controls (U+0080 to U+009F) and Unicode's bidirectional
//   formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E,
//   U+2066 to U+2069) as "<U+XXXX>".
// Everything else, tab, newline and the rest of UTF-8, passes as it is.
// A lone "\r" or an unfinished UTF-8 character at the end of a piece is
// held until the next piece says what it is.
class TerminalText {
 public:
  // Appends to `out` what `in` is shown as.
  void Filter(std::string_view in, std::string* out);
  // Appends what is held back: "^M" for a "\r", the bytes of an unfinished
  // character as they are.
  void Finish(std::string* out);

 private:
  std::string held_;
};

// When standard output or standard error is a terminal, routes everything
// written to it, by printf and std::cout / std::cerr alike, through a
// TerminalText of its own. Call once, before anything is written.
void ShowTerminalTextOnly();

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_TERMINAL_TEXT_H_
