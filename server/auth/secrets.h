// Token secrets: generation, hashing and comparison; SHA-256 of files. All
// cryptography comes from OpenSSL (as linked by gRPC): RAND_bytes for the
// CSPRNG, SHA-256 from EVP, CRYPTO_memcmp for constant-time comparison.
//
// Thread safety: every function is safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_SECRETS_H_
#define CODEX_MANAGER_SERVER_AUTH_SECRETS_H_

#include <memory>
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

// SHA-256 of data given in pieces (e.g. a file as it is read).
// Thread-compatible: one thread at a time.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(absl::string_view data);
  // Lowercase hex SHA-256 of everything given (64 characters). Call once.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// True when `a` and `b` are equal; the time taken does not depend on where
// they differ (only on their lengths).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_SECRETS_H_
