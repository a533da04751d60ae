// Idempotency keys: a client-chosen `request_id` on CreateSession,
// ImportThread, ForkSession, StartTurn, StartReview and RunShellCommand
// makes the call safe to retry. The key is stored with the resource it
// produced, in the same transaction (WriteBatch::request_keys), and with a
// digest of the request that first used it (Caller::request_digest). A
// repeat of that request gets the same resource; a different request with
// the key is refused, as Stripe refuses an Idempotency-Key reused with
// other parameters and the IETF draft (draft-ietf-httpapi-idempotency-key-
// header) has servers do: answering it with the first request's resource
// would tell the caller a turn started in its session when it started in
// another.
#ifndef CODEX_MANAGER_SERVER_CORE_IDEMPOTENCY_H_
#define CODEX_MANAGER_SERVER_CORE_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/store.h"

namespace codex_manager {

// The id of the resource `request_id` already produced for `method`, when
// `request_digest` is the digest of the request that first used it;
// nullopt when no request used it yet. INVALID_ARGUMENT naming request_id
// when a different request did (other fields, e.g. another session or
// prompt; another method of the key's family, e.g. StartReview for a
// StartTurn key; or another token). A key stored
// before digests were matches any request, as every key did then. The
// store's errors as they come.
absl::StatusOr<std::optional<std::string>> RepeatedRequest(
    Store& store, absl::string_view method, absl::string_view request_id,
    absl::string_view request_digest);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_IDEMPOTENCY_H_
