// How deep JSON text nests, counted before it is parsed: JSON from outside
// the process (a Codex child's lines, a client's output schema or answers)
// is refused past a depth, so no parser, dump() or proto conversion of ours
// recurses that deep, and nothing we send Codex is deeper than it reads
// (Codex's serde_json stops at 128 levels).
#ifndef CODEX_MANAGER_SERVER_COMMON_JSON_DEPTH_H_
#define CODEX_MANAGER_SERVER_COMMON_JSON_DEPTH_H_

#include "absl/strings/string_view.h"

namespace codex_manager {

// True when arrays and objects in `text` nest deeper than `max_depth`
// ("[]" is 1 level; brackets inside strings do not count). Linear in the
// text, no allocation; malformed text is judged by its brackets alone.
bool JsonNestsDeeperThan(absl::string_view text, int max_depth);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_JSON_DEPTH_H_
