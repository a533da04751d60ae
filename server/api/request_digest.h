// The digest an idempotency key is stored with (Caller::request_digest,
// core/idempotency.h): what the call that first used the key asked.
#ifndef CODEX_MANAGER_SERVER_API_REQUEST_DIGEST_H_
#define CODEX_MANAGER_SERVER_API_REQUEST_DIGEST_H_

#include <google/protobuf/message.h>

#include <string>

#include "core/types.h"

namespace codex_manager {

// `caller` with request_digest set to the lowercase hex SHA-256 of its
// full method name, its token id and `request` serialized
// deterministically (each piece preceded by its length): a retry of the
// same call by the same token has the same digest, any other call another.
// `caller` unchanged when `request_id` is empty (no key to compare with).
Caller WithRequestDigest(const Caller& caller,
                         const google::protobuf::Message& request,
                         const std::string& request_id);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_REQUEST_DIGEST_H_
