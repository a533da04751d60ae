// `codex login` and `codex logout`: sign the server's Codex in and out
// (CodexService.StartCodexLogin, GetCodexLogin, CancelCodexLogin,
// LogoutCodex).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "call.h"
#include "commands.h"
#include "signals.h"
#include "terminal.h"

namespace codex_manager::cli {
namespace {

constexpr auto kPollEvery = std::chrono::seconds(2);

const char* StateName(v1::CodexLoginState state) {
  switch (state) {
    case v1::CODEX_LOGIN_STATE_PENDING:
      return "pending";
    case v1::CODEX_LOGIN_STATE_SUCCEEDED:
      return "succeeded";
    case v1::CODEX_LOGIN_STATE_FAILED:
      return "failed";
    case v1::CODEX_LOGIN_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

void PrintLogin(const v1::CodexLogin& login) {
  std::printf("login:    %s\n", login.login_id().c_str());
  std::printf("method:   %s\n", login.method() == v1::CODEX_LOGIN_METHOD_API_KEY
                                    ? "api key"
                                    : "chatgpt device code");
  std::printf("state:    %s\n", StateName(login.state()));
  if (!login.verification_url().empty()) {
    std::printf("open:     %s\n", login.verification_url().c_str());
    std::printf("code:     %s\n", login.user_code().c_str());
  }
  if (login.has_expire_time() &&
      login.state() == v1::CODEX_LOGIN_STATE_PENDING) {
    std::printf(
        "expires:  %s\n",
        absl::FormatTime("%Y-%m-%d %H:%M:%S",
                         absl::FromUnixSeconds(login.expire_time().seconds()),
                         absl::LocalTimeZone())
            .c_str());
  }
  if (!login.error().empty())
    std::printf("error:    %s\n", login.error().c_str());
}

// What the login ended as, for the exit code: 0 signed in, 1 not.
int Ended(const Client& client, const v1::CodexLogin& login) {
  if (client.options().json) {
    PrintJson(login);
  } else if (login.state() == v1::CODEX_LOGIN_STATE_SUCCEEDED) {
    std::printf("Codex is signed in (%s).\n",
                login.method() == v1::CODEX_LOGIN_METHOD_API_KEY ? "API key"
                                                                 : "ChatGPT");
  } else {
    std::cerr << "error: login " << StateName(login.state())
              << (login.error().empty() ? "" : ": ") << login.error() << "\n";
  }
  return login.state() == v1::CODEX_LOGIN_STATE_SUCCEEDED ? kExitOk
                                                          : kExitTurnFailed;
}

// The key from standard input, trimmed: typed on a terminal (one line, not
// echoed), else all of it.
std::string ReadApiKey() {
  std::string key;
  if (isatty(STDIN_FILENO)) {
    ReadLine("OpenAI API key: ", /*secret=*/true, &key);
  } else {
    key.assign(std::istreambuf_iterator<char>(std::cin), {});
  }
  return std::string(absl::StripAsciiWhitespace(key));
}

}  // namespace

int CodexLogin(Client& client, const CodexLoginFlags& flags) {
  if (!flags.status_id.empty() || !flags.cancel_id.empty()) {
    v1::CodexLogin login;
    grpc::Status status;
    if (!flags.status_id.empty()) {
      v1::GetCodexLoginRequest request;
      request.set_login_id(flags.status_id);
      status =
          client.codex().GetCodexLogin(client.Context().get(), request, &login);
    } else {
      v1::CancelCodexLoginRequest request;
      request.set_login_id(flags.cancel_id);
      status = client.codex().CancelCodexLogin(client.Context().get(), request,
                                               &login);
    }
    return Show(client, status, login, PrintLogin);
  }
  v1::StartCodexLoginRequest request;
  if (flags.with_api_key) {
    request.set_method(v1::CODEX_LOGIN_METHOD_API_KEY);
    request.set_api_key(ReadApiKey());
  } else {
    request.set_method(v1::CODEX_LOGIN_METHOD_CHATGPT_DEVICE_CODE);
  }
  v1::CodexLogin login;
  grpc::Status status =
      client.codex().StartCodexLogin(client.Context().get(), request, &login);
  if (!status.ok()) return Fail(status);
  if (login.state() != v1::CODEX_LOGIN_STATE_PENDING)
    return Ended(client, login);
  if (flags.no_wait) return Show(client, status, login, PrintLogin);

  const std::string login_id = login.login_id();
  InterruptScope on_ctrl_c([&client, login_id](int) {
    v1::CancelCodexLoginRequest cancel;
    cancel.set_login_id(login_id);
    v1::CodexLogin cancelled;
    grpc::Status s = client.codex().CancelCodexLogin(client.Context().get(),
                                                     cancel, &cancelled);
    std::cerr << (s.ok() ? "login cancelled\n"
                         : "the login could not be cancelled: " +
                               s.error_message() + "\n");
    ExitNow(130);
  });
  // Said once Ctrl-C cancels.
  std::cerr << "Open " << login.verification_url()
            << " on any device, sign in to ChatGPT and enter the code\n\n    "
            << login.user_code() << "\n\nWaiting for it (" << login_id
            << "; Ctrl-C cancels the login)...\n";
  while (login.state() == v1::CODEX_LOGIN_STATE_PENDING) {
    std::this_thread::sleep_for(kPollEvery);
    v1::GetCodexLoginRequest get;
    get.set_login_id(login_id);
    status = client.codex().GetCodexLogin(client.Context().get(), get, &login);
    if (!status.ok()) return Fail(status);
  }
  return Ended(client, login);
}

int CodexLogout(Client& client) {
  return CallAndShow(
      client, client.codex(), &v1::CodexService::Stub::LogoutCodex,
      v1::LogoutCodexRequest(), [](const v1::LogoutCodexResponse&) {
        std::printf("Codex is signed out.\n");
      });
}

}  // namespace codex_manager::cli
