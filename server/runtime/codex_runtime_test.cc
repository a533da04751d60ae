// CodexRuntime against tests/fake_codex/fake_codex.py: real processes, real
// pipes, injected faults.
#include "runtime/codex_runtime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/json_access.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

class Recorder : public RuntimeListener {
 public:
  void OnReady(Runtime*, const std::string& thread_id,
               const std::string& runtime_version,
               const nlohmann::json&) override {
    Add("ready:" + thread_id);
    Add("version:" + runtime_version);
  }
  void OnTurnAccepted(Runtime*, const std::string& turn_id,
                      const std::string&) override {
    Add("accepted:" + turn_id);
  }
  void OnTurnRejected(Runtime*, const std::string& turn_id,
                      const std::string& error) override {
    Add("rejected:" + turn_id + ":" + error);
  }
  void OnNotification(Runtime*, const std::string& method,
                      const json& params) override {
    if (method == "turn/completed") {
      Add("completed:" + StringMember(Member(params, "turn"), "status"));
    } else {
      Add("note:" + method);
    }
  }
  void OnServerRequest(Runtime* runtime, const json& id,
                       const std::string& method, const json&) override {
    Add("request:" + method);
    runtime->Respond(id, {{"decision", "accept"}});
  }
  void OnBadOutput(Runtime*, const std::string& problem, bool fatal) override {
    Add((fatal ? "fatal:" : "bad:") + problem);
  }
  void OnExit(Runtime*, const std::string& reason) override {
    absl::MutexLock lock(&mu_);
    exit_time_ = absl::Now();
    events_.push_back("exit:" + reason);
  }

  // Waits for an event starting with `prefix`; returns it or "".
  std::string Wait(const std::string& prefix,
                   absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    std::string found;
    auto has = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const std::string& e : events_) {
        if (e.rfind(prefix, 0) == 0) {
          found = e;
          return true;
        }
      }
      return false;
    };
    mu_.AwaitWithTimeout(absl::Condition(&has), timeout);
    return found;
  }
  absl::Time exit_time() {
    absl::MutexLock lock(&mu_);
    return exit_time_;
  }

 private:
  void Add(std::string e) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(e));
  }
  absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
  absl::Time exit_time_ ABSL_GUARDED_BY(mu_);
};

bool ProcessGone(pid_t pid) {
  if (kill(pid, 0) != 0) return true;
  // Still in the table: only acceptable as an exited zombie of someone else.
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0)
      return line.find('Z') != std::string::npos;
  }
  return true;
}

class CodexRuntimeTest : public ::testing::Test {
 protected:
  std::unique_ptr<CodexRuntime> Make(CodexRuntimeOptions options = {},
                                     RuntimeConfig config = {}) {
    if (options.codex_bin == "codex") options.codex_bin = FAKE_CODEX_PATH;
    config.session_id = "ses_test";
    config.cwd = ::testing::TempDir();
    return std::make_unique<CodexRuntime>(config, &recorder_, &launcher_,
                                          options);
  }
  // Starts the fake Codex with FAKE_CODEX_MODE=`mode` and returns the
  // exit it reported ("" if none came within 10 s).
  std::string ExitUnderMode(const char* mode,
                            CodexRuntimeOptions options = {}) {
    setenv("FAKE_CODEX_MODE", mode, 1);
    options.pass_env = {"FAKE_CODEX_MODE"};
    auto runtime = Make(options);
    runtime->Start();
    std::string exit = recorder_.Wait("exit:");
    unsetenv("FAKE_CODEX_MODE");
    return exit;
  }
  PosixProcessLauncher launcher_;
  Recorder recorder_;
};

TEST_F(CodexRuntimeTest, OpensThreadAndRunsATurn) {
  auto runtime = Make();
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  EXPECT_EQ(recorder_.Wait("version:"), "version:0.169.0");
  runtime->StartTurn("turn_1", "hello", {});
  EXPECT_NE(recorder_.Wait("accepted:turn_1"), "");
  EXPECT_NE(recorder_.Wait("note:item/agentMessage/delta"), "");
  EXPECT_EQ(recorder_.Wait("completed:"), "completed:completed");
  runtime->Stop(false);
  EXPECT_EQ(recorder_.Wait("exit:", absl::Milliseconds(100)), "");  // asked for
}

TEST_F(CodexRuntimeTest, AShellCommandIsATurnNamedByItsTurnStarted) {
  auto runtime = Make();
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  TurnSettings shell;
  shell.shell_command = "refuse";
  runtime->StartTurn("turn_1", "!refuse", shell);
  EXPECT_THAT(recorder_.Wait("rejected:turn_1"),
              HasSubstr("thread/shellCommand: "));
  shell.shell_command = "ls | wc -l";
  runtime->StartTurn("turn_2", "!ls | wc -l", shell);
  EXPECT_NE(recorder_.Wait("accepted:turn_2"), "");
  EXPECT_EQ(recorder_.Wait("completed:"), "completed:completed");
  runtime->Stop(false);
}

TEST_F(CodexRuntimeTest, ServerRequestsRoundTrip) {
  auto runtime = Make();
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  runtime->StartTurn("turn_1", "approve", {});
  EXPECT_NE(recorder_.Wait("request:item/commandExecution/requestApproval"),
            "");
  EXPECT_EQ(recorder_.Wait("completed:"), "completed:completed");
}

TEST_F(CodexRuntimeTest, GarbageLinesAreSkipped) {
  auto runtime = Make();
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  runtime->StartTurn("turn_1", "garbage", {});
  EXPECT_EQ(recorder_.Wait("completed:"), "completed:completed");
  EXPECT_EQ(recorder_.Wait("exit:", absl::Milliseconds(100)), "");
}

TEST_F(CodexRuntimeTest, CrashMidTurnIsReportedWithinASecondWithStderr) {
  auto runtime = Make();
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  const absl::Time sent = absl::Now();
  runtime->StartTurn("turn_1", "crash", {});
  std::string exit = recorder_.Wait("exit:");
  EXPECT_THAT(exit, HasSubstr("exited with status 3"));
  EXPECT_THAT(exit, HasSubstr("crashing as asked"));
  EXPECT_LT(recorder_.exit_time() - sent, absl::Seconds(1));
}

TEST_F(CodexRuntimeTest, MissingBinaryIsReportedByName) {
  CodexRuntimeOptions options;
  options.codex_bin = "/nonexistent/codex";
  auto runtime = Make(options);
  runtime->Start();
  std::string exit = recorder_.Wait("exit:");
  EXPECT_THAT(exit, HasSubstr("codex binary not found"));
  EXPECT_THAT(exit, HasSubstr("/nonexistent/codex"));
}

TEST_F(CodexRuntimeTest, ExitAtStartCarriesItsStderr) {
  std::string exit = ExitUnderMode("exit-at-start");
  EXPECT_THAT(exit, HasSubstr("exited with status 1"));
  EXPECT_THAT(exit, HasSubstr("refusing to start"));
}

TEST_F(CodexRuntimeTest, HungInitializeTimesOut) {
  CodexRuntimeOptions options;
  options.start_timeout = absl::Milliseconds(300);
  std::string exit = ExitUnderMode("hang-initialize", options);
  EXPECT_THAT(exit, HasSubstr("initialize failed"));
}

TEST_F(CodexRuntimeTest, ACodexThatRoutesApprovalsElsewhereIsRefused) {
  // A Codex that keeps its config's auto_review reviewer: nobody would be
  // asked to approve its escalations, so the runtime does not start.
  std::string exit = ExitUnderMode("auto-review");
  EXPECT_THAT(exit, HasSubstr("thread/start answered approvals reviewer "
                              "\"auto_review\", not \"user\""));
  EXPECT_EQ(recorder_.Wait("ready:", absl::Milliseconds(100)), "");
}

// Codex 0.171 saves a thread at its first turn; resuming one that never
// ran a turn fails "no rollout found". A runtime allowed to
// (new_thread_if_unsaved) starts a new thread instead; one that is not
// ends, naming why.
TEST_F(CodexRuntimeTest, AnUnsavedThreadIsReplacedOnlyWhenAllowed) {
  setenv("FAKE_CODEX_MODE", "unsaved-thread", 1);
  CodexRuntimeOptions options;
  options.pass_env = {"FAKE_CODEX_MODE"};
  RuntimeConfig config;
  config.thread_id = "thr_unsaved";
  config.new_thread_if_unsaved = true;
  auto allowed = Make(options, config);
  allowed->Start();
  const std::string ready = recorder_.Wait("ready:");
  EXPECT_NE(ready, "");
  EXPECT_NE(ready, "ready:thr_unsaved");
  EXPECT_NE(ready, "ready:");
  allowed->Stop(false);

  Recorder refused;
  config.new_thread_if_unsaved = false;
  config.session_id = "ses_test";
  config.cwd = ::testing::TempDir();
  options.codex_bin = FAKE_CODEX_PATH;
  CodexRuntime kept(config, &refused, &launcher_, options);
  kept.Start();
  EXPECT_THAT(refused.Wait("exit:"),
              HasSubstr("thread/resume failed: no rollout found for thread id "
                        "thr_unsaved"));
  EXPECT_EQ(refused.Wait("ready:", absl::Milliseconds(100)), "");
  unsetenv("FAKE_CODEX_MODE");
}

TEST_F(CodexRuntimeTest, UnansweredTurnStartEndsTheRuntime) {
  // Codex starts the turn but never answers turn/start: nobody would
  // follow that turn, so the runtime ends (no orphan turn keeps running).
  setenv("FAKE_CODEX_MODE", "hang-turn-start", 1);
  CodexRuntimeOptions options;
  options.pass_env = {"FAKE_CODEX_MODE"};
  options.request_timeout = absl::Milliseconds(300);
  auto runtime = Make(options);
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  runtime->StartTurn("turn_1", "slow", {});
  std::string exit = recorder_.Wait("exit:");
  unsetenv("FAKE_CODEX_MODE");
  EXPECT_THAT(exit, HasSubstr("did not answer turn/start"));
  EXPECT_EQ(recorder_.Wait("accepted:", absl::Milliseconds(100)), "");
  runtime->Stop(true);
}

TEST_F(CodexRuntimeTest, HostileLinesAreReportedAndAFloodIsFatal) {
  CodexRuntimeOptions options;
  options.max_bad_lines_in_a_row = 100;
  auto runtime = Make(options);
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  runtime->StartTurn("turn_1", "hostile", {});
  EXPECT_THAT(recorder_.Wait("bad:"), HasSubstr("unusable line"));
  // Its mistyped turn/completed lines arrive with empty fields, then the
  // real one.
  EXPECT_EQ(recorder_.Wait("completed:completed"), "completed:completed");
  runtime->StartTurn("turn_2", "flood", {});
  EXPECT_THAT(recorder_.Wait("fatal:"), HasSubstr("100 unusable lines in a row"));
  runtime->Stop(true);
}

TEST_F(CodexRuntimeTest, GracefulStopEscalatesToSigkillAndKillsTheGroup) {
  const std::string pidfile =
      ::testing::TempDir() + "/grandchild." + std::to_string(getpid());
  setenv("FAKE_CODEX_PIDFILE", pidfile.c_str(), 1);
  CodexRuntimeOptions options;
  options.pass_env = {"FAKE_CODEX_PIDFILE"};
  options.stop_grace = absl::Milliseconds(300);
  auto runtime = Make(options);
  runtime->Start();
  ASSERT_NE(recorder_.Wait("ready:"), "");
  runtime->StartTurn("turn_1", "spawn", {});
  ASSERT_NE(recorder_.Wait("completed:"), "");
  pid_t grandchild = 0;
  std::ifstream(pidfile) >> grandchild;
  ASSERT_GT(grandchild, 0);
  ASSERT_FALSE(ProcessGone(grandchild));
  runtime->StartTurn("turn_2", "hang", {});  // ignores SIGTERM from now on
  ASSERT_NE(recorder_.Wait("accepted:turn_2"), "");
  const absl::Time start = absl::Now();
  runtime->Stop(/*force=*/false);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  for (int i = 0; i < 100 && !ProcessGone(grandchild); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_TRUE(ProcessGone(grandchild));
  unsetenv("FAKE_CODEX_PIDFILE");
  std::remove(pidfile.c_str());
}

TEST(ChildEnvironmentTest, OnlyTheBasicsAndWhatIsPassed) {
  setenv("CM_TEST_SECRET", "s3cret", 1);
  setenv("CM_TEST_PASSED", "yes", 1);
  CodexRuntimeOptions options;
  options.codex_home = "/srv/codex-home";
  options.pass_env = {"CM_TEST_PASSED"};
  auto env = CodexRuntime::ChildEnvironment(options);
  EXPECT_EQ(env.count("CM_TEST_SECRET"), 0u);
  EXPECT_EQ(env["CM_TEST_PASSED"], "yes");
  EXPECT_EQ(env["CODEX_HOME"], "/srv/codex-home");
  EXPECT_EQ(env.count("PATH"), 1u);
}

}  // namespace
}  // namespace codex_manager
