#include "core/codex_login.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "core/one_off_runtime.h"
#include "core/types.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxErrorBytes = 1024;
constexpr size_t kMaxCodeBytes = 256;
constexpr size_t kMaxUrlBytes = 2048;
// How long a cancel waits for the login's thread to settle it.
constexpr absl::Duration kCancelWait = absl::Seconds(10);

const char* StateName(CodexLoginState state) {
  switch (state) {
    case CodexLoginState::kPending:
      return "pending";
    case CodexLoginState::kSucceeded:
      return "succeeded";
    case CodexLoginState::kFailed:
      return "failed";
    case CodexLoginState::kCancelled:
      return "cancelled";
    default:
      return "unspecified";
  }
}

// What ended the wait for a device code: Codex's account/login/completed,
// a cancel, the deadline, or the runtime's death.
enum class Ending { kCodexSaid, kCancelled, kExpired, kExited };

// Codex's word on a login: whether it succeeded, and its error.
using Outcome = std::pair<bool, std::string>;

// Ends `login` as `ending` says; but as Codex said when it did, and when
// it signed in just before a cancel or the deadline took.
void Settle(CodexLogin& login, Ending ending,
            const std::optional<Outcome>& said,
            const std::string& cancel_reason, const std::string& exit) {
  login.end_time = absl::Now();
  if (said.has_value() && (said->first || ending == Ending::kCodexSaid)) {
    login.state =
        said->first ? CodexLoginState::kSucceeded : CodexLoginState::kFailed;
    login.error = said->second;
    return;
  }
  switch (ending) {
    case Ending::kCancelled:
      login.state = CodexLoginState::kCancelled;
      login.error = cancel_reason;
      return;
    case Ending::kExpired:
      login.state = CodexLoginState::kFailed;
      login.error = "the code expired: nobody entered it in time";
      return;
    case Ending::kExited:
    case Ending::kCodexSaid:  // said is set then
      login.state = CodexLoginState::kFailed;
      login.error = absl::StrCat("Codex exited: ", exit);
      return;
  }
}

absl::Status NotFound(const std::string& login_id) {
  return absl::NotFoundError(
      absl::StrCat("login ", SafeText(login_id, 64), " not found"));
}

// Codex's message, never carrying the key.
absl::Status Scrubbed(const absl::Status& status, const std::string& key) {
  if (status.ok() || key.empty()) return status;
  return absl::Status(
      status.code(),
      absl::StrReplaceAll(std::string(status.message()), {{key, "[the key]"}}));
}

}  // namespace

struct CodexLogins::State {
  mutable absl::Mutex mu;
  // Most recent first.
  std::deque<CodexLogin> logins ABSL_GUARDED_BY(mu);
  // The device code login in flight ("" when none) and what ends it.
  std::string pending_id ABSL_GUARDED_BY(mu);
  std::string codex_login_id ABSL_GUARDED_BY(mu);
  std::string cancel_reason ABSL_GUARDED_BY(mu);  // set: cancel it
  std::optional<Outcome> completed ABSL_GUARDED_BY(mu);
  bool shutting_down ABSL_GUARDED_BY(mu) = false;
  int threads ABSL_GUARDED_BY(mu) = 0;

  CodexLogin* Find(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    for (CodexLogin& login : logins) {
      if (login.login_id == id) return &login;
    }
    return nullptr;
  }
  const CodexLogin* Find(const std::string& id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return const_cast<State*>(this)->Find(id);
  }
  // Cancels the pending device code login, if any (`why` its error), and
  // waits for its thread to settle it; again for one that another caller
  // started meanwhile. False when one has not settled within kCancelWait.
  bool AwaitNonePending(const std::string& why)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    const absl::Time deadline = absl::Now() + kCancelWait;
    while (!pending_id.empty()) {
      if (cancel_reason.empty()) cancel_reason = why;
      const std::string waited = pending_id;
      auto moved = [this, &waited]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
        return pending_id != waited;
      };
      if (!mu.AwaitWithDeadline(absl::Condition(&moved), deadline)) {
        return false;
      }
    }
    return true;
  }
  void Remember(CodexLogin login, size_t kept)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    logins.push_front(std::move(login));
    while (logins.size() > kept) logins.pop_back();
  }
};

CodexLogins::CodexLogins(RuntimeFactory* runtimes, CodexCatalog* catalog,
                         CodexLoginOptions options)
    : runtimes_(runtimes),
      catalog_(catalog),
      options_(std::move(options)),
      state_(std::make_shared<State>()) {}

CodexLogins::~CodexLogins() {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  s.shutting_down = true;
  if (!s.pending_id.empty() && s.cancel_reason.empty()) {
    s.cancel_reason = "the server stopped";
  }
  auto idle = [&s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
    return s.threads == 0;
  };
  s.mu.Await(absl::Condition(&idle));
}

void CodexLogins::CancelPending(const std::string& why) {
  absl::MutexLock lock(&state_->mu);
  state_->AwaitNonePending(why);
}

void CodexLogins::Start(CodexLoginMethod method, std::string api_key,
                        Done<CodexLogin> done) {
  const std::string login_id = NewId("login_");
  if (method == CodexLoginMethod::kChatgptDeviceCode) {
    return RunDeviceCode(login_id, std::move(done));
  }
  CancelPending(absl::StrCat("replaced by login ", login_id));
  json params = {{"type", "apiKey"}, {"apiKey", api_key}};
  catalog_->Request(
      "account/login/start", std::move(params),
      [state = state_, kept = options_.kept, login_id, key = std::move(api_key),
       done = std::move(done)](absl::StatusOr<json> result) {
        if (!result.ok()) return done(Scrubbed(result.status(), key));
        CodexLogin login;
        login.login_id = login_id;
        login.method = CodexLoginMethod::kApiKey;
        login.state = CodexLoginState::kSucceeded;
        login.start_time = login.end_time = absl::Now();
        {
          absl::MutexLock lock(&state->mu);
          state->Remember(login, kept);
        }
        done(std::move(login));
      });
}

void CodexLogins::RunDeviceCode(const std::string& login_id,
                                Done<CodexLogin> done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&state_->mu);
    // The one before it ends first, and this one takes its place under the
    // same lock: two logins started at once never share the state.
    if (!state_->AwaitNonePending(
            absl::StrCat("replaced by login ", login_id))) {
      refused = absl::UnavailableError(
          "the previous ChatGPT sign-in is still ending; try again");
    } else if (state_->shutting_down) {
      refused = absl::UnavailableError("the server is stopping");
    } else {
      ++state_->threads;
      // Pending from now on: a login started meanwhile cancels this one.
      state_->pending_id = login_id;
      state_->codex_login_id.clear();
      state_->cancel_reason.clear();
      state_->completed.reset();
    }
  }
  if (!refused.ok()) return done(refused);
  // Its own thread: the runtime lives while Codex polls ChatGPT, and it
  // forks its child from a thread that must outlive it (PR_SET_PDEATHSIG).
  NamedThread("cm-login", [state = state_, runtimes = runtimes_,
                           options = options_, login_id,
                           done = std::move(done)] {
    State& s = *state;
    {
      OneOffRuntime codex(
          runtimes, options.cwd,
          [state](const std::string& method, const json& params) {
            if (method != "account/login/completed") return;
            absl::MutexLock lock(&state->mu);
            if (state->codex_login_id.empty() ||
                StringMember(params, "loginId") != state->codex_login_id) {
              return;
            }
            state->completed.emplace(
                BoolMember(params, "success"),
                SafeText(StringMember(params, "error"), kMaxErrorBytes));
          });
      const absl::Status up = codex.Start();
      absl::StatusOr<json> started =
          up.ok() ? codex.Request("account/login/start",
                                  {{"type", "chatgptDeviceCode"}})
                  : absl::StatusOr<json>(up);
      if (!started.ok()) {
        {
          absl::MutexLock lock(&s.mu);
          if (s.pending_id == login_id) s.pending_id.clear();
        }
        done(started.status());
      } else {
        CodexLogin login;
        login.login_id = login_id;
        login.method = CodexLoginMethod::kChatgptDeviceCode;
        login.state = CodexLoginState::kPending;
        login.verification_url =
            SafeText(StringMember(*started, "verificationUrl"), kMaxUrlBytes);
        login.user_code =
            SafeText(StringMember(*started, "userCode"), kMaxCodeBytes);
        login.start_time = absl::Now();
        login.expire_time = login.start_time + options.device_code_lifetime;
        const std::string codex_login_id = StringMember(*started, "loginId");
        {
          absl::MutexLock lock(&s.mu);
          s.codex_login_id = codex_login_id;
          s.Remember(login, options.kept);
        }
        done(login);

        // Wait for Codex to say how it ended, a cancel, or the deadline;
        // a runtime that died is checked each second.
        Ending ending = Ending::kCodexSaid;
        std::string exit;
        {
          absl::MutexLock lock(&s.mu);
          auto over = [&s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
            return s.completed.has_value() || !s.cancel_reason.empty();
          };
          while (!over() && ending == Ending::kCodexSaid) {
            if (absl::Now() >= login.expire_time) {
              ending = Ending::kExpired;
            } else if (!s.mu.AwaitWithTimeout(absl::Condition(&over),
                                              absl::Seconds(1))) {
              s.mu.Unlock();
              exit = codex.ExitReason();
              s.mu.Lock();
              if (!exit.empty() && !over()) ending = Ending::kExited;
            }
          }
          if (ending == Ending::kCodexSaid && !s.completed.has_value()) {
            ending = Ending::kCancelled;
          }
        }
        if (ending == Ending::kCancelled || ending == Ending::kExpired) {
          // Codex stops polling ChatGPT; what it answers changes nothing.
          (void)codex.Request("account/login/cancel",
                              {{"loginId", codex_login_id}});
        }
        absl::MutexLock lock(&s.mu);
        if (CodexLogin* record = s.Find(login.login_id); record != nullptr) {
          Settle(*record, ending, s.completed, s.cancel_reason, exit);
          Log(LogLevel::kInfo, "codex login ended",
              {{"login_id", record->login_id},
               {"state", StateName(record->state)},
               {"error", record->error}});
        }
        s.pending_id.clear();
        s.codex_login_id.clear();
      }
    }  // the runtime stops here
    absl::MutexLock lock(&s.mu);
    --s.threads;
  }).detach();
}

absl::StatusOr<CodexLogin> CodexLogins::Get(const std::string& login_id) const {
  absl::MutexLock lock(&state_->mu);
  const CodexLogin* login = state_->Find(login_id);
  if (login == nullptr) return NotFound(login_id);
  return *login;
}

absl::StatusOr<CodexLogin> CodexLogins::Cancel(const std::string& login_id) {
  State& s = *state_;
  absl::MutexLock lock(&s.mu);
  if (s.Find(login_id) == nullptr) return NotFound(login_id);
  if (s.pending_id == login_id) {
    // This login only: one started meanwhile is not the caller's to end.
    if (s.cancel_reason.empty()) s.cancel_reason = "cancelled";
    auto settled = [&s, &login_id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
      return s.pending_id != login_id;
    };
    s.mu.AwaitWithTimeout(absl::Condition(&settled), kCancelWait);
  }
  const CodexLogin* login = s.Find(login_id);  // gone if many came since
  if (login == nullptr) return NotFound(login_id);
  return *login;
}

void CodexLogins::Logout(Done<bool> done) {
  CancelPending("signed out");
  catalog_->Request("account/logout", json::object(),
                    [done = std::move(done)](absl::StatusOr<json> result) {
                      if (!result.ok()) return done(result.status());
                      done(true);
                    });
}

}  // namespace codex_manager
