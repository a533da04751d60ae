#include "auth/token_registry.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "auth/secrets.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace codex_manager {
namespace {

// Bounds a cache that only ever holds valid tokens.
constexpr size_t kMaxCached = 10000;
// How long a token read from the store is trusted without reading again.
constexpr absl::Duration kCacheTtl = absl::Seconds(1);
// last_used_time is written at most this often per token.
constexpr absl::Duration kTouchEvery = absl::Minutes(1);
constexpr size_t kMaxSecretBytes = 200;
constexpr size_t kMaxNameBytes = 100;

absl::Status Unauthenticated() {
  return absl::UnauthenticatedError(
      "missing or invalid token: send metadata \"authorization: Bearer "
      "<token>\" (see docs/security.md)");
}

// The secret of "Bearer <secret>" (scheme case-insensitive), or empty.
absl::string_view BearerSecret(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()),
                              kScheme)) {
    return {};
  }
  return absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));
}

absl::Status WriteSecretFile(const std::string& path,
                             const std::string& secret) {
  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  const std::string line = secret + "\n";
  bool ok = write(fd, line.data(), line.size()) ==
                static_cast<ssize_t>(line.size()) &&
            fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

TokenRegistry::TokenRegistry(Store* store, Clock* clock)
    : store_(store), clock_(clock) {}

absl::StatusOr<TokenRecord> TokenRegistry::Authenticate(
    absl::string_view authorization) {
  absl::string_view secret = BearerSecret(authorization);
  if (secret.empty() || secret.size() > kMaxSecretBytes ||
      !absl::StartsWith(secret, kTokenSecretPrefix)) {
    return Unauthenticated();
  }
  const std::string hash = Sha256Hex(secret);
  const absl::Time now = clock_->Now();
  std::optional<TokenRecord> token;
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.read_at < kCacheTtl) {
      token = it->second.token;
    }
  }
  if (!token) {
    absl::StatusOr<std::optional<TokenRecord>> found =
        store_->FindTokenByHash(hash);
    if (!found.ok()) {
      return absl::UnavailableError("cannot check the token now; retry");
    }
    if (!found->has_value()) return Unauthenticated();
    token = std::move(**found);
    absl::MutexLock lock(&mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[hash] = {*token, now};
  }
  if (!ConstantTimeEquals(token->secret_sha256, hash) ||
      token->revoke_time.has_value() ||
      (token->expire_time.has_value() && *token->expire_time <= now)) {
    return Unauthenticated();
  }
  if (!token->last_used_time || now - *token->last_used_time >= kTouchEvery) {
    token->last_used_time = now;
    // Best effort: a failed write of the last-used time refuses nothing.
    if (store_->TouchToken(token->token_id, now).ok()) {
      absl::MutexLock lock(&mu_);
      auto it = cache_.find(hash);
      if (it != cache_.end()) it->second.token.last_used_time = now;
    }
  }
  return *token;
}

absl::StatusOr<TokenRegistry::Created> TokenRegistry::Create(
    const std::string& name, Role role, absl::Duration ttl,
    const Caller& caller) {
  absl::MutexLock lock(&mu_);
  return CreateLocked(name, role, ttl, /*bootstrap=*/false, caller);
}

absl::StatusOr<TokenRegistry::Created> TokenRegistry::CreateLocked(
    const std::string& name, Role role, absl::Duration ttl, bool bootstrap,
    const Caller& caller) {
  if (absl::StripAsciiWhitespace(name).empty() ||
      name.size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: required, 1..", kMaxNameBytes, " characters"));
  }
  if (role != Role::kViewer && role != Role::kOperator &&
      role != Role::kAdmin) {
    return absl::InvalidArgumentError(
        "role: required, one of viewer, operator or admin");
  }
  if (ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("ttl: must not be negative");
  }
  ASSIGN_OR_RETURN(std::string secret, NewTokenSecret());
  Created out;
  out.token.token_id = NewId("tok_");
  out.token.name = name;
  out.token.role = role;
  out.token.secret_sha256 = Sha256Hex(secret);
  out.token.create_time = clock_->Now();
  if (ttl > absl::ZeroDuration()) {
    out.token.expire_time = out.token.create_time + ttl;
  }
  out.token.bootstrap = bootstrap;
  out.secret = std::move(secret);
  WriteBatch batch;
  batch.tokens.push_back(out.token);
  batch.audit.push_back(
      AuditOk(caller, out.token.token_id, out.token.create_time));
  RETURN_IF_ERROR(store_->Write(batch));
  return out;
}

absl::StatusOr<Page<TokenRecord>> TokenRegistry::List(bool include_revoked,
                                                      PageRequest page) {
  return store_->ListTokens(include_revoked, page);
}

absl::StatusOr<TokenRecord> TokenRegistry::Get(const std::string& token_id) {
  return store_->GetToken(token_id);
}

absl::StatusOr<TokenRecord> TokenRegistry::Revoke(const std::string& token_id,
                                                  const Caller& caller) {
  if (token_id.empty()) {
    return absl::InvalidArgumentError("token_id: required");
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(TokenRecord token, store_->GetToken(token_id));
  const absl::Time now = clock_->Now();
  WriteBatch batch;
  if (!token.revoke_time) {
    token.revoke_time = now;
    batch.tokens.push_back(token);
  }
  batch.audit.push_back(AuditOk(caller, token_id, now));
  RETURN_IF_ERROR(store_->Write(batch));
  // At once for this process: forget every cached copy, and end its open
  // streams (Guard::StreamSlot).
  for (auto it = cache_.begin(); it != cache_.end();) {
    auto next = std::next(it);
    if (it->second.token.token_id == token_id) cache_.erase(it);
    it = next;
  }
  revoked_.insert(token_id);
  revocations_.fetch_add(1, std::memory_order_release);
  return token;
}

bool TokenRegistry::RevokedHere(const std::string& token_id) {
  absl::MutexLock lock(&mu_);
  return revoked_.contains(token_id);
}

absl::Status TokenRegistry::EnsureAdminTokenFile(const std::string& path,
                                                 bool rotate, bool* wrote) {
  *wrote = false;
  Caller server;
  server.token_name = "codex-manager-server";
  server.method = rotate ? "startup/rotate-admin-token" : "startup/admin-token";
  absl::MutexLock lock(&mu_);
  if (!rotate) {
    std::ifstream in(path);
    std::string line;
    if (in && std::getline(in, line)) {
      absl::StatusOr<std::optional<TokenRecord>> known = store_->FindTokenByHash(
          Sha256Hex(absl::StripAsciiWhitespace(line)));
      RETURN_IF_ERROR(known.status());
      if (known->has_value()) return absl::OkStatus();  // leave it alone
      Log(LogLevel::kWarning, "admin token file names no known token",
          {{"path", path}});
    }
  } else {
    // Revoke every earlier bootstrap token, page by page.
    int64_t after = 0;
    WriteBatch batch;
    for (;;) {
      ASSIGN_OR_RETURN(Page<TokenRecord> page,
                       store_->ListTokens(/*include_revoked=*/false,
                                          {after, 1000}));
      for (TokenRecord& t : page.items) {
        if (!t.bootstrap) continue;
        t.revoke_time = clock_->Now();
        batch.audit.push_back(AuditOk(server, t.token_id, *t.revoke_time));
        batch.tokens.push_back(std::move(t));
      }
      if (page.next == 0) break;
      after = page.next;
    }
    RETURN_IF_ERROR(store_->Write(batch));
    cache_.clear();
  }
  ASSIGN_OR_RETURN(Created created,
                   CreateLocked("admin", Role::kAdmin, absl::ZeroDuration(),
                                /*bootstrap=*/true, server));
  RETURN_IF_ERROR(WriteSecretFile(path, created.secret));
  *wrote = true;
  return absl::OkStatus();
}

}  // namespace codex_manager
