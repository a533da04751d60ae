// Text from outside the process (a Codex child's stdout and stderr) made
// safe to store and send: valid UTF-8 (RFC 3629), cut on character
// boundaries. Protobuf `string` fields must hold valid UTF-8; strict
// decoders (Python protobuf) refuse a message that does not.
#ifndef CODEX_MANAGER_SERVER_COMMON_UTF8_H_
#define CODEX_MANAGER_SERVER_COMMON_UTF8_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace codex_manager {

// `text` with every ill-formed sequence (stray continuation bytes,
// overlong forms, surrogates, code points above U+10FFFF, a sequence cut
// short) replaced by U+FFFD, one per maximal ill-formed subpart (the
// Unicode "substitution of maximal subparts" practice, as ICU and WHATWG
// decoders do).
std::string ToValidUtf8(absl::string_view text);

// The longest prefix of valid-UTF-8 `text` that is at most `max_bytes`
// long and does not end inside a character.
absl::string_view TruncateUtf8(absl::string_view text, size_t max_bytes);

// ToValidUtf8 then TruncateUtf8, with "…" appended when something was cut
// (the result is then at most max_bytes + 3 bytes).
std::string SafeText(absl::string_view text, size_t max_bytes);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_UTF8_H_
