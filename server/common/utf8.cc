#include "common/utf8.h"

namespace codex_manager {
namespace {

constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed sequence starting at text[i], or 0 when
// it is ill-formed; `*bad` then holds the length of its maximal ill-formed
// subpart: the lead byte and the continuation bytes that were valid before
// the one that was not (at least 1). Table 3-7 of the Unicode Standard.
size_t SequenceAt(absl::string_view text, size_t i, size_t* bad) {
  const auto byte = [&](size_t k) -> unsigned {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned b0 = byte(i);
  *bad = 1;
  if (b0 < 0x80) return 1;
  size_t len;
  unsigned lo = 0x80, hi = 0xBF;  // the second byte's range
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0, C1 or F5..FF
  }
  for (size_t k = 1; k < len; ++k) {
    if (i + k >= text.size()) return 0;  // cut short: *bad bytes so far
    const unsigned b = byte(i + k);
    const bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) return 0;
    *bad = k + 1;
  }
  return len;
}

}  // namespace

std::string ToValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t bad = 0;
    const size_t len = SequenceAt(text, i, &bad);
    if (len > 0) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      // One U+FFFD for the maximal subpart; the byte that broke it starts
      // the next sequence.
      out.append(kReplacement.data(), kReplacement.size());
      i += bad;
    }
  }
  return out;
}

absl::string_view TruncateUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back up over continuation bytes to the start of the cut character.
  while (end > 0 &&
         (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

std::string SafeText(absl::string_view text, size_t max_bytes) {
  const std::string valid = ToValidUtf8(text);
  const absl::string_view cut = TruncateUtf8(valid, max_bytes);
  std::string out(cut);
  if (cut.size() < valid.size()) out += "\xE2\x80\xA6";  // …
  return out;
}

}  // namespace codex_manager
