#include "terminal_text.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ext/stdio_sync_filebuf.h>
#include <iostream>

#include "absl/strings/str_format.h"

namespace codex_manager::cli {
namespace {

// The bytes of the UTF-8 character `lead` starts: 2 to 4, or 1 for ASCII
// and for a byte that starts none.
size_t LengthOf(unsigned char lead) {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 1;
}

// The code point of a whole two- or three-byte UTF-8 character.
char32_t CodePointOf(std::string_view c) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(c[i]); };
  if (c.size() == 2) return ((b(0) & 0x1Fu) << 6) | (b(1) & 0x3Fu);
  return ((b(0) & 0x0Fu) << 12) | ((b(1) & 0x3Fu) << 6) | (b(2) & 0x3Fu);
}

// C1 controls and the bidirectional formatting characters (Unicode's
// "Bidi_Control" property).
bool IsHidden(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

void AppendCharacter(std::string_view c, std::string* out) {
  if (c.size() <= 3 && IsHidden(CodePointOf(c))) {
    absl::StrAppendFormat(out, "<U+%04X>",
                          static_cast<uint32_t>(CodePointOf(c)));
  } else {
    out->append(c);
  }
}

// Where a terminal's text goes once shown: its file descriptor.
struct Sink {
  int fd;
  TerminalText text;
};

ssize_t WriteShown(void* cookie, const char* data, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  std::string shown;
  sink->text.Filter(std::string_view(data, size), &shown);
  size_t done = 0;
  while (done < shown.size()) {
    const ssize_t n =
        ::write(sink->fd, shown.data() + done, shown.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    done += static_cast<size_t>(n);
  }
  return static_cast<ssize_t>(size);
}

// Points `*stream` and `streams` at a FILE that writes what is shown of
// its text to `fd`, buffered as `mode` says (_IOLBF, _IONBF).
void Route(FILE** stream, int fd, int mode,
           std::initializer_list<std::ostream*> streams) {
  if (!isatty(fd)) return;
  std::fflush(*stream);
  // Never freed: std::cout and the C library flush through them at exit.
  auto* sink = new Sink{fd, {}};
  FILE* shown = fopencookie(
      sink, "w", cookie_io_functions_t{nullptr, WriteShown, nullptr, nullptr});
  if (shown == nullptr) {
    delete sink;
    return;
  }
  std::setvbuf(shown, nullptr, mode, mode == _IONBF ? 0 : BUFSIZ);
  *stream = shown;
  auto* buffer = new __gnu_cxx::stdio_sync_filebuf<char>(shown);
  for (std::ostream* os : streams) os->rdbuf(buffer);
}

}  // namespace

void TerminalText::Filter(std::string_view in, std::string* out) {
  out->reserve(out->size() + in.size());
  for (const char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (!held_.empty()) {
      if (held_[0] == '\r') {
        held_.clear();
        if (c != '\n') out->append("^M");
      } else if ((c & 0xC0) == 0x80) {
        held_.push_back(ch);
        if (held_.size() == LengthOf(static_cast<unsigned char>(held_[0]))) {
          AppendCharacter(held_, out);
          held_.clear();
        }
        continue;
      } else {
        out->append(held_);  // not UTF-8: as it is
        held_.clear();
      }
    }
    if (c == '\r' || LengthOf(c) > 1) {
      held_.push_back(ch);
    } else if (c == '\t' || c == '\n' || (c >= 0x20 && c != 0x7F)) {
      out->push_back(ch);
    } else {
      out->push_back('^');
      out->push_back(c == 0x7F ? '?' : static_cast<char>(c + 0x40));
    }
  }
}

void TerminalText::Finish(std::string* out) {
  out->append(held_ == "\r" ? "^M" : held_);
  held_.clear();
}

void ShowTerminalTextOnly() {
  Route(&stdout, STDOUT_FILENO, _IOLBF, {&std::cout});
  Route(&stderr, STDERR_FILENO, _IONBF, {&std::cerr, &std::clog});
}

}  // namespace codex_manager::cli
