// TokenRegistry: the bearer tokens of the trust boundary — authentication,
// creation, listing, revocation, and the admin token bootstrap file.
//
// Only the SHA-256 of a secret is stored. Authenticate keeps what it read
// for at most one second, so a revocation by another server process takes
// effect within a second; a revocation through this registry takes effect
// at once.
//
// Thread safety: safe from any thread.
#ifndef CODEX_MANAGER_SERVER_AUTH_TOKEN_REGISTRY_H_
#define CODEX_MANAGER_SERVER_AUTH_TOKEN_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/clock.h"
#include "core/store.h"
#include "core/types.h"

namespace codex_manager {

class TokenRegistry {
 public:
  TokenRegistry(Store* store, Clock* clock);

  // The token of an `authorization` metadata value, "Bearer <secret>".
  // UNAUTHENTICATED for a missing, malformed, unknown, expired or revoked
  // token — the message is the same for all of them, so a caller learns
  // nothing about which tokens exist. UNAVAILABLE when the store fails.
  absl::StatusOr<TokenRecord> Authenticate(absl::string_view authorization);

  struct Created {
    TokenRecord token;
    // Shown once; never stored.
    std::string secret;
  };
  // Creates a token; its audit record (by `caller`) commits with it.
  // INVALID_ARGUMENT naming "name" (1..100 characters), "role" or "ttl"
  // (negative).
  absl::StatusOr<Created> Create(const std::string& name, Role role,
                                 absl::Duration ttl, const Caller& caller);
  absl::StatusOr<Page<TokenRecord>> List(bool include_revoked,
                                         PageRequest page);
  // NOT_FOUND naming the id.
  absl::StatusOr<TokenRecord> Get(const std::string& token_id);
  // Revokes a token (a no-op when already revoked); NOT_FOUND naming the id.
  absl::StatusOr<TokenRecord> Revoke(const std::string& token_id,
                                     const Caller& caller);
  // How many revocations Revoke has made: an open stream asks RevokedHere
  // about its token only when this changed.
  int64_t revocations() const {
    return revocations_.load(std::memory_order_acquire);
  }
  // Whether Revoke revoked `token_id` (in this process).
  bool RevokedHere(const std::string& token_id);

  // The admin token file (DATA_DIR/admin.token, mode 0600, one line).
  // Without `rotate`: leaves a file that holds a token this store knows
  // alone, and otherwise (first start, or a new database) creates an admin
  // token and writes its secret there. With `rotate`: revokes every earlier
  // bootstrap token and writes a new one. Sets *wrote when it wrote the file.
  absl::Status EnsureAdminTokenFile(const std::string& path, bool rotate,
                                    bool* wrote);

 private:
  struct Cached {
    TokenRecord token;
    absl::Time read_at;
  };

  absl::StatusOr<Created> CreateLocked(const std::string& name, Role role,
                                       absl::Duration ttl, bool bootstrap,
                                       const Caller& caller)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  Clock* const clock_;
  absl::Mutex mu_;
  // SHA-256 hex of a secret -> the token it named when last read.
  absl::flat_hash_map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);
  // Ids Revoke revoked, and how many times it did.
  absl::flat_hash_set<std::string> revoked_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> revocations_{0};
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_TOKEN_REGISTRY_H_
