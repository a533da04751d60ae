// Text from outside, as a person must see it to decide on it: the
// characters that would make a terminal or a text renderer hide, move or
// reorder part of it are written as visible text instead. A carriage return
// or an escape sequence can hide half of a command on a terminal; a
// right-to-left override reverses what follows it ("Trojan Source",
// CVE-2021-42574). The CLI writes everything it shows a terminal through
// it (cli/terminal_text.h); the notifier, what it says of an approval.
#ifndef CODEX_MANAGER_COMMON_VISIBLE_TEXT_H_
#define CODEX_MANAGER_COMMON_VISIBLE_TEXT_H_

#include <string>
#include <string_view>

namespace codex_manager {

// Rewrites a byte stream, fed in pieces of any size:
// - C0 controls but tab and newline, and DEL, in caret notation, as `cat
//   -v` and `less` show them: ESC "^[", BEL "^G", DEL "^?"; a carriage
//   return "^M", but one before a newline is dropped ("\r\n" ends a line);
// - the C1 controls (U+0080 to U+009F) and Unicode's bidirectional
//   formatting characters (U+061C, U+200E, U+200F, U+202A to U+202E,
//   U+2066 to U+2069) as "<U+XXXX>".
// Everything else, tab, newline and the rest of UTF-8, passes as it is.
// A lone "\r" or an unfinished UTF-8 character at the end of a piece is
// held until the next piece says what it is.
class VisibleText {
 public:
  // Appends to `out` what `in` is shown as.
  void Filter(std::string_view in, std::string* out);
  // Appends what is held back: "^M" for a "\r", the bytes of an unfinished
  // character as they are.
  void Finish(std::string* out);

 private:
  std::string held_;
};

// The whole of `text` as VisibleText shows it.
std::string Visible(std::string_view text);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_COMMON_VISIBLE_TEXT_H_
