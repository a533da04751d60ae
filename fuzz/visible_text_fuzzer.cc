// libFuzzer target: VisibleText (server/common/visible_text.h), which every
// byte a terminal gets from the CLI goes through. Besides not
// crashing: what it writes holds no control character but tab and
// newline, no C1 control and no bidirectional formatting character (as
// UTF-8 encodes them); and the input cut in two anywhere is written the
// same as whole.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/visible_text.h"

namespace {

std::string Shown(std::string_view a, std::string_view b) {
  codex_manager::VisibleText text;
  std::string out;
  text.Filter(a, &out);
  text.Filter(b, &out);
  text.Finish(&out);
  return out;
}

bool HidesOrMoves(std::string_view s) {
  const auto at = [&](size_t i) {
    return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = at(i);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return true;
    if (c == 0xC2 && at(i + 1) >= 0x80 && at(i + 1) <= 0x9F) return true;
    if (c == 0xD8 && at(i + 1) == 0x9C) return true;
    if (c == 0xE2 && at(i + 1) == 0x80 &&
        (at(i + 2) == 0x8E || at(i + 2) == 0x8F ||
         (at(i + 2) >= 0xAA && at(i + 2) <= 0xAE))) {
      return true;
    }
    if (c == 0xE2 && at(i + 1) == 0x81 && at(i + 2) >= 0xA6 &&
        at(i + 2) <= 0xA9) {
      return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string whole = Shown(input, "");
  if (HidesOrMoves(whole)) std::abort();
  // Cut where the first byte says.
  const size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  if (Shown(input.substr(0, cut), input.substr(cut)) != whole) std::abort();
  return 0;
}
