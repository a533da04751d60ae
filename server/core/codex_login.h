// CodexLogins: signs the server's Codex in and out, as `codex login` does,
// for people who reach the server from elsewhere (a phone, a script):
// Codex `account/login/start`, `account/login/cancel`, `account/logout`,
// and the `account/login/completed` notification.
//
// - An API key is stored by Codex at once (CODEX_HOME/auth.json, 0600),
//   through a one-off runtime of the CodexCatalog.
// - ChatGPT's device code flow needs a runtime that lives while Codex polls
//   ChatGPT for the code a person types on another device: one such login
//   at a time, on a thread of its own, for at most `device_code_lifetime`.
//   Starting another login (or logging out) cancels it.
//
// The key is passed to Codex and nowhere else: not logged, not kept, not
// in any error (Codex's messages are scrubbed of it).
//
// Thread safety: safe from any thread. `done` runs once, on a thread of the
// catalog or of the login, never on the caller's.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_LOGIN_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_LOGIN_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/codex_catalog.h"
#include "core/runtime.h"

namespace codex_manager {

enum class CodexLoginMethod {
  kUnspecified = 0,
  kApiKey = 1,
  kChatgptDeviceCode = 2
};

enum class CodexLoginState {
  kUnspecified = 0,
  kPending = 1,    // waiting for the code to be typed
  kSucceeded = 2,  // Codex is signed in
  kFailed = 3,     // `error` says why (also: the code expired)
  kCancelled = 4,  // CancelCodexLogin, another login, a logout, shutdown
};

struct CodexLogin {
  std::string login_id;  // ours: "login_…"
  CodexLoginMethod method = CodexLoginMethod::kUnspecified;
  CodexLoginState state = CodexLoginState::kUnspecified;
  // Device code: the page to open and the code to type there.
  std::string verification_url;
  std::string user_code;
  std::string error;
  absl::Time start_time = absl::UnixEpoch();
  // Device code, while PENDING: when the server stops waiting.
  absl::Time expire_time = absl::UnixEpoch();
  absl::Time end_time = absl::UnixEpoch();  // unset while PENDING
};

struct CodexLoginOptions {
  // Working directory of the login's runtime.
  std::string cwd = "/";
  // How long a device code login waits for the code (ChatGPT's codes last
  // 15 minutes).
  absl::Duration device_code_lifetime = absl::Minutes(15);
  // Logins remembered for Get after they end, most recent first.
  size_t kept = 16;
};

class CodexLogins {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  CodexLogins(RuntimeFactory* runtimes, CodexCatalog* catalog,
              CodexLoginOptions options);
  // Cancels a pending login and waits for its thread.
  ~CodexLogins();
  CodexLogins(const CodexLogins&) = delete;
  CodexLogins& operator=(const CodexLogins&) = delete;

  // Starts a login; `api_key` is for kApiKey only (the caller checked it).
  // Done with the login: SUCCEEDED for a key, PENDING with the URL and
  // code for a device code. Errors: FAILED_PRECONDITION with Codex's
  // message when it refused, UNAVAILABLE / RESOURCE_EXHAUSTED as
  // CodexCatalog's. A device code login first cancels the pending one and
  // waits for it to end (logins started at once end up one pending, the
  // others CANCELLED); UNAVAILABLE when it has not ended within 10 s.
  void Start(CodexLoginMethod method, std::string api_key,
             Done<CodexLogin> done);
  // NOT_FOUND naming the id when it is not one of the logins remembered.
  absl::StatusOr<CodexLogin> Get(const std::string& login_id) const;
  // Cancels a pending login (Codex `account/login/cancel`) and returns it
  // once it ended (CANCELLED, or SUCCEEDED / FAILED when it ended first);
  // a login already over is returned as it is. Blocks up to a few
  // seconds. NOT_FOUND as Get.
  absl::StatusOr<CodexLogin> Cancel(const std::string& login_id);
  // Cancels a pending login, then signs Codex out (`account/logout`: Codex
  // removes its stored credentials). Errors as Start's.
  void Logout(Done<bool> done);

 private:
  struct State;
  // Ends the pending login, if any, and waits (bounded) until its thread
  // recorded how it ended.
  void CancelPending(const std::string& why);
  void RunDeviceCode(const std::string& login_id, Done<CodexLogin> done);

  RuntimeFactory* const runtimes_;
  CodexCatalog* const catalog_;
  const CodexLoginOptions options_;
  const std::shared_ptr<State> state_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_LOGIN_H_
