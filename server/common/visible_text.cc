#include "common/visible_text.h"

#include <cstdint>

#include "absl/strings/str_format.h"

namespace codex_manager {
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

}  // namespace

void VisibleText::Filter(std::string_view in, std::string* out) {
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

void VisibleText::Finish(std::string* out) {
  out->append(held_ == "\r" ? "^M" : held_);
  held_.clear();
}

std::string Visible(std::string_view text) {
  VisibleText filter;
  std::string out;
  filter.Filter(text, &out);
  filter.Finish(&out);
  return out;
}

}  // namespace codex_manager
