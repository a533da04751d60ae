#include "core/codex_login.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "core/table_runtime_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

const json kDeviceCode = {
    {"type", "chatgptDeviceCode"},
    {"loginId", "codex-login-1"},
    {"verificationUrl", "https://auth.example/codex/device"},
    {"userCode", "ABCD-EFGH"}};

// Polls until the login is no longer PENDING (at most 10 s).
CodexLogin Ended(CodexLogins& logins, const std::string& id) {
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  for (;;) {
    absl::StatusOr<CodexLogin> login = logins.Get(id);
    EXPECT_TRUE(login.ok()) << login.status();
    if (!login.ok() || login->state != CodexLoginState::kPending ||
        absl::Now() > deadline) {
      return login.ok() ? *login : CodexLogin();
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

// Starts a ChatGPT device code login and waits for Start's answer.
absl::StatusOr<CodexLogin> StartDeviceCode(CodexLogins& logins) {
  return Wait<CodexLogin>([&](auto done) {
    logins.Start(CodexLoginMethod::kChatgptDeviceCode, "", done);
  });
}

class CodexLoginsTest : public ::testing::Test {
 protected:
  CodexLogins& Logins(absl::Duration lifetime = absl::Minutes(15)) {
    CodexLoginOptions options;
    options.device_code_lifetime = lifetime;
    logins_ = std::make_unique<CodexLogins>(&factory_, &catalog_, options);
    return *logins_;
  }
  // Speaks as Codex on the login's runtime.
  void Completed(bool success, const std::string& error) {
    absl::MutexLock lock(&factory_.shared.mu);
    ASSERT_NE(factory_.shared.listener, nullptr);
    factory_.shared.listener->OnNotification(
        factory_.shared.runtime, "account/login/completed",
        {{"loginId", "codex-login-1"},
         {"success", success},
         {"error", error.empty() ? json() : json(error)}});
  }
  std::vector<std::string> Calls() {
    absl::MutexLock lock(&factory_.shared.mu);
    return factory_.shared.calls;
  }

  TableFactory factory_;
  CodexCatalog catalog_{&factory_, CodexCatalogOptions()};
  std::unique_ptr<CodexLogins> logins_;
};

TEST_F(CodexLoginsTest, ADeviceCodeLoginWaitsForCodexToSayHowItEnded) {
  factory_.shared.answers["account/login/start"] = {kDeviceCode};
  CodexLogins& logins = Logins();
  absl::StatusOr<CodexLogin> login = StartDeviceCode(logins);
  ASSERT_TRUE(login.ok()) << login.status();
  EXPECT_EQ(login->state, CodexLoginState::kPending);
  EXPECT_THAT(login->login_id, ::testing::StartsWith("login_"));
  EXPECT_EQ(login->verification_url, "https://auth.example/codex/device");
  EXPECT_EQ(login->user_code, "ABCD-EFGH");
  EXPECT_GT(login->expire_time, absl::Now() + absl::Minutes(14));
  EXPECT_EQ(logins.Get(login->login_id)->state, CodexLoginState::kPending);

  // Another login's word changes nothing; this one's ends it.
  {
    absl::MutexLock lock(&factory_.shared.mu);
    factory_.shared.listener->OnNotification(
        factory_.shared.runtime, "account/login/completed",
        {{"loginId", "someone-else"}, {"success", true}});
  }
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(logins.Get(login->login_id)->state, CodexLoginState::kPending);
  Completed(true, "");
  const CodexLogin ended = Ended(logins, login->login_id);
  EXPECT_EQ(ended.state, CodexLoginState::kSucceeded);
  EXPECT_GE(ended.end_time, ended.start_time);
  EXPECT_THAT(Calls(),
              Contains(R"(account/login/start {"type":"chatgptDeviceCode"})"));
  EXPECT_THAT(Calls(), Not(Contains(HasSubstr("account/login/cancel"))));
  EXPECT_EQ(logins.Get("login_nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CodexLoginsTest, ACodeNobodyTypesExpiresAndCodexStopsWaiting) {
  factory_.shared.answers["account/login/start"] = {kDeviceCode};
  CodexLogins& logins = Logins(absl::Milliseconds(300));
  absl::StatusOr<CodexLogin> login = StartDeviceCode(logins);
  ASSERT_TRUE(login.ok()) << login.status();
  const CodexLogin ended = Ended(logins, login->login_id);
  EXPECT_EQ(ended.state, CodexLoginState::kFailed);
  EXPECT_THAT(ended.error, HasSubstr("expired"));
  EXPECT_THAT(Calls(),
              Contains(R"(account/login/cancel {"loginId":"codex-login-1"})"));
}

TEST_F(CodexLoginsTest, ARuntimeThatDiesFailsTheLoginWithWhy) {
  factory_.shared.answers["account/login/start"] = {kDeviceCode};
  CodexLogins& logins = Logins();
  absl::StatusOr<CodexLogin> login = StartDeviceCode(logins);
  ASSERT_TRUE(login.ok()) << login.status();
  {
    absl::MutexLock lock(&factory_.shared.mu);
    factory_.shared.listener->OnExit(factory_.shared.runtime,
                                     "killed by signal 9");
  }
  const CodexLogin ended = Ended(logins, login->login_id);
  EXPECT_EQ(ended.state, CodexLoginState::kFailed);
  EXPECT_EQ(ended.error, "Codex exited: killed by signal 9");
  // Nothing to cancel in a runtime that is gone.
  EXPECT_THAT(Calls(), Not(Contains(HasSubstr("account/login/cancel"))));
}

TEST_F(CodexLoginsTest, ACancelOrANewLoginEndsThePendingOne) {
  factory_.shared.answers["account/login/start"] = {
      kDeviceCode, kDeviceCode, kDeviceCode, json{{"type", "apiKey"}}};
  CodexLogins& logins = Logins();
  const CodexLogin first = *StartDeviceCode(logins);
  absl::StatusOr<CodexLogin> cancelled = logins.Cancel(first.login_id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state, CodexLoginState::kCancelled);
  EXPECT_EQ(cancelled->error, "cancelled");
  // Cancelling what is over returns it as it is.
  EXPECT_EQ(logins.Cancel(first.login_id)->state, CodexLoginState::kCancelled);

  const CodexLogin second = *StartDeviceCode(logins);
  const CodexLogin third = *StartDeviceCode(logins);
  EXPECT_EQ(logins.Get(second.login_id)->error,
            "replaced by login " + third.login_id);
  absl::StatusOr<CodexLogin> key = Wait<CodexLogin>([&](auto done) {
    logins.Start(CodexLoginMethod::kApiKey, "sk-test-1", done);
  });
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->state, CodexLoginState::kSucceeded);
  const CodexLogin replaced = *logins.Get(third.login_id);
  EXPECT_EQ(replaced.state, CodexLoginState::kCancelled);
  EXPECT_EQ(replaced.error, "replaced by login " + key->login_id);
  EXPECT_THAT(
      Calls(),
      Contains(
          R"(account/login/start {"apiKey":"sk-test-1","type":"apiKey"})"));
}

// Device code logins started at once: one ends up pending, each of the
// others CANCELLED by a later one; never two sharing the wait for Codex.
TEST_F(CodexLoginsTest, DeviceCodeLoginsStartedAtOnceLeaveOnePending) {
  constexpr int kLogins = 6;
  factory_.shared.answers["account/login/start"] =
      std::vector<absl::StatusOr<json>>(kLogins, kDeviceCode);
  CodexLogins& logins = Logins();
  std::vector<std::string> ids(kLogins);
  std::vector<std::thread> starts;
  for (int i = 0; i < kLogins; ++i) {
    starts.emplace_back([&, i] {
      absl::StatusOr<CodexLogin> login = StartDeviceCode(logins);
      ASSERT_TRUE(login.ok()) << login.status();
      ids[i] = login->login_id;
    });
  }
  for (std::thread& start : starts) start.join();
  std::vector<std::string> pending;
  for (const std::string& id : ids) {
    absl::StatusOr<CodexLogin> login = logins.Get(id);
    ASSERT_TRUE(login.ok()) << login.status();
    if (login->state == CodexLoginState::kPending) {
      pending.push_back(id);
    } else {
      EXPECT_EQ(login->state, CodexLoginState::kCancelled) << id;
      EXPECT_THAT(login->error, HasSubstr("replaced by login ")) << id;
    }
  }
  ASSERT_EQ(pending.size(), 1u);
  // That one is what a cancel ends; then none is pending.
  EXPECT_EQ(logins.Cancel(pending[0])->state, CodexLoginState::kCancelled);
  for (const std::string& id : ids) {
    EXPECT_NE(logins.Get(id)->state, CodexLoginState::kPending) << id;
  }
}

TEST_F(CodexLoginsTest, CodexsRefusalNeverCarriesTheKey) {
  factory_.shared.answers["account/login/start"] = {
      absl::FailedPreconditionError("invalid api key sk-secret-42, try again")};
  CodexLogins& logins = Logins();
  absl::StatusOr<CodexLogin> login = Wait<CodexLogin>([&](auto done) {
    logins.Start(CodexLoginMethod::kApiKey, "sk-secret-42", done);
  });
  ASSERT_EQ(login.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(login.status().message()),
              Not(HasSubstr("sk-secret")));
  EXPECT_THAT(std::string(login.status().message()), HasSubstr("[the key]"));
}

TEST_F(CodexLoginsTest, ADeviceCodeCodexRefusesIsAnErrorAndItsRuntimeStops) {
  factory_.shared.answers["account/login/start"] = {
      absl::FailedPreconditionError("failed to request device code")};
  CodexLogins& logins = Logins();
  absl::StatusOr<CodexLogin> login = StartDeviceCode(logins);
  EXPECT_EQ(login.status().code(), absl::StatusCode::kFailedPrecondition);
  // Its runtime is gone.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto stopped_all = [&] {
    absl::MutexLock lock(&factory_.shared.mu);
    return factory_.shared.stopped == factory_.shared.started;
  };
  while (!stopped_all() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(stopped_all());
}

TEST_F(CodexLoginsTest, LogoutCancelsThePendingLoginFirst) {
  factory_.shared.answers["account/login/start"] = {kDeviceCode};
  factory_.shared.answers["account/logout"] = {json::object()};
  CodexLogins& logins = Logins();
  const CodexLogin login = *StartDeviceCode(logins);
  absl::StatusOr<bool> out =
      Wait<bool>([&](auto done) { logins.Logout(done); });
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(logins.Get(login.login_id)->state, CodexLoginState::kCancelled);
  EXPECT_EQ(logins.Get(login.login_id)->error, "signed out");
  EXPECT_THAT(Calls(), Contains("account/logout {}"));
}

}  // namespace
}  // namespace codex_manager
