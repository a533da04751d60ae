// The ids a request names, checked at the API edge before any handler
// looks one up. Every id this server hands out is a prefix and 20 hex
// digits (core/types.h NewId); Codex's (thread, item, process) are UUIDs
// or shorter. A longer string names nothing, so it is refused as
// malformed (INVALID_ARGUMENT naming the field, as Google's AIP-193 asks)
// instead of being looked up and quoted back in a NOT_FOUND.
#ifndef CODEX_MANAGER_SERVER_API_ID_FIELDS_H_
#define CODEX_MANAGER_SERVER_API_ID_FIELDS_H_

#include <google/protobuf/message.h>

#include <cstddef>

#include "absl/status/status.h"

namespace codex_manager {

// The longest id a request may carry, in bytes.
inline constexpr size_t kMaxIdBytes = 256;

// OK when every string field of `request` named `id` or ending in `_id`
// or `_ids` (each element), in it and its set message fields down to 8
// levels (deeper than any request of ours nests), is at most kMaxIdBytes; else
// INVALID_ARGUMENT naming the first that is not by its path ("target.turn_id:
// at most 256 bytes, got 1048576").
absl::Status CheckIdFields(const google::protobuf::Message& request);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_ID_FIELDS_H_
