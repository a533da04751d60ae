// How every transcript says a span of time Codex measured in milliseconds
// (a sleep item's wait): "850 ms", "1.5 s". The CLI and the Markdown
// export use the same words.
#ifndef CODEX_MANAGER_SERVER_COMMON_DURATION_TEXT_H_
#define CODEX_MANAGER_SERVER_COMMON_DURATION_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace codex_manager {

inline std::string DurationText(int64_t ms) {
  return ms < 1000 ? absl::StrCat(ms, " ms")
                   : absl::StrFormat("%.1f s", static_cast<double>(ms) / 1000);
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_DURATION_TEXT_H_
