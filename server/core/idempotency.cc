#include "core/idempotency.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace codex_manager {

absl::StatusOr<std::optional<std::string>> RepeatedRequest(
    Store& store, absl::string_view method, absl::string_view request_id,
    absl::string_view request_digest) {
  ASSIGN_OR_RETURN(std::optional<RequestKey> key,
                   store.GetRequestKey(method, request_id));
  if (!key) return std::nullopt;
  if (!key->request_digest.empty() && key->request_digest != request_digest) {
    // Nothing of the first request is named: it may be another token's.
    return absl::InvalidArgumentError(absl::StrCat(
        "request_id: ", request_id,
        " was first used by a different request (other fields, another "
        "method or another token); a new request needs a new request_id"));
  }
  return std::move(key->resource_id);
}

}  // namespace codex_manager
