// Token secrets: generation, hashing and comparison. All cryptography comes
// from OpenSSL (as linked by gRPC): RAND_bytes for the CSPRNG, SHA-256 from
// EVP, CRYPTO_memcmp for constant-time comparison.
//
// Thread safety: every function is safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_SECRETS_H_
#define CODEX_MANAGER_SERVER_AUTH_SECRETS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace codex_manager {

// Every secret starts with this, so secret scanners can find leaked ones.
inline constexpr absl::string_view kTokenSecretPrefix = "cmt_";

// A new secret: "cmt_" + unpadded base64url of 32 bytes from the CSPRNG
// (47 characters). INTERNAL when the CSPRNG fails.
absl::StatusOr<std::string> NewTokenSecret();

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(absl::string_view data);

// True when `a` and `b` are equal; the time taken does not depend on where
// they differ (only on their lengths).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_SECRETS_H_
