#include "core/session_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "core/codex_methods.h"
#include "core/codex_protocol.h"

#include "absl/synchronization/mutex.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

// The caller of every mutation in these tests (the audit log's subject).
const Caller kOperator = {"tok_test",         "test",     Role::kOperator,
                          "ipv4:127.0.0.1:1", "req_test", "test",
                          std::nullopt,       ""};

using json = nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class FakeClock : public Clock {
 public:
  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

// Records what the core asks of it; the test speaks for Codex by calling
// the listener.
class FakeRuntime : public Runtime {
 public:
  struct Log {
    absl::Mutex mu;
    std::vector<std::string> calls;
    std::vector<json> responses;
    std::atomic<int> stopped{0};
    // What each StartTurn was given.
    std::vector<TurnSettings> settings;
    // What Codex answers thread requests, by method (default: {}).
    std::map<std::string, json> thread_answers;
    // Thread requests Codex refuses, by method, with this status.
    std::map<std::string, absl::Status> thread_errors;
    // What Codex answers turn/steer.
    absl::Status steer_answer;
    // Thread requests answered only when the test calls their `done`
    // (from `answer_later`, by method), as a slow Codex would.
    std::set<std::string> answer_later;
    std::map<std::string, std::function<void(absl::StatusOr<json>)>> unanswered;
  };
  FakeRuntime(RuntimeConfig config, Log* log)
      : config(std::move(config)), log_(log) {}
  void Start() override { Record("start:" + config.thread_id); }
  void StartTurn(const std::string& turn_id, const std::string& prompt,
                 const TurnSettings& settings) override {
    Record("turn:" + turn_id + ":" + prompt);
    absl::MutexLock lock(&log_->mu);
    log_->settings.push_back(settings);
  }
  void Interrupt(const std::string& codex_turn_id) override {
    Record("interrupt:" + codex_turn_id);
  }
  void Call(const std::string& method, json params,
            std::function<void(absl::StatusOr<json>)> done) override {
    CallThread(method, std::move(params), std::move(done));
  }
  void CallThread(const std::string& method, json params,
                  std::function<void(absl::StatusOr<json>)> done) override {
    Record("call:" + method + (params.empty() ? "" : " " + params.dump()));
    absl::StatusOr<json> answer;
    {
      absl::MutexLock lock(&log_->mu);
      if (log_->answer_later.contains(method)) {
        log_->unanswered[method] = std::move(done);
        return;
      }
      answer = log_->thread_errors.contains(method)
                   ? absl::StatusOr<json>(log_->thread_errors[method])
               : log_->thread_answers.contains(method)
                   ? absl::StatusOr<json>(log_->thread_answers[method])
                   : absl::StatusOr<json>(json::object());
    }
    done(std::move(answer));
  }
  void Steer(const std::string& codex_turn_id, const std::string& prompt,
             std::function<void(absl::Status)> done) override {
    Record("steer:" + codex_turn_id + ":" + prompt);
    absl::Status answer;
    {
      absl::MutexLock lock(&log_->mu);
      answer = log_->steer_answer;
    }
    done(answer);
  }
  void Respond(const json& id, const json& result) override {
    absl::MutexLock lock(&log_->mu);
    log_->responses.push_back({{"id", id}, {"result", result}});
  }
  void RespondError(const json& id, int code, const std::string&) override {
    Record("error:" + id.dump() + ":" + std::to_string(code));
  }
  void Stop(bool force) override {
    Record(force ? "stop:force" : "stop");
    ++log_->stopped;
  }
  const RuntimeConfig config;

 private:
  void Record(const std::string& call) {
    absl::MutexLock lock(&log_->mu);
    log_->calls.push_back(call);
  }
  Log* log_;
};

class FakeFactory : public RuntimeFactory {
 public:
  std::unique_ptr<Runtime> Create(const RuntimeConfig& config,
                                  RuntimeListener*) override {
    auto runtime = std::make_unique<FakeRuntime>(config, &log);
    absl::MutexLock lock(&mu_);
    created.push_back(runtime.get());
    return runtime;
  }
  FakeRuntime* Last() {
    absl::MutexLock lock(&mu_);
    return created.back();
  }
  size_t Count() {
    absl::MutexLock lock(&mu_);
    return created.size();
  }
  std::vector<std::string> Calls() {
    absl::MutexLock lock(&log.mu);
    return log.calls;
  }
  std::vector<json> Responses() {
    absl::MutexLock lock(&log.mu);
    return log.responses;
  }
  // From now on, requests for `method` wait for TakeUnanswered.
  void AnswerLater(const std::string& method) {
    absl::MutexLock lock(&log.mu);
    log.answer_later.insert(method);
  }
  // The `done` of the last request for `method` AnswerLater held back.
  std::function<void(absl::StatusOr<json>)> TakeUnanswered(
      const std::string& method) {
    absl::MutexLock lock(&log.mu);
    return std::move(log.unanswered[method]);
  }
  FakeRuntime::Log log;

 private:
  absl::Mutex mu_;
  std::vector<FakeRuntime*> created;
};

// How many thread/name/set requests `calls` (FakeFactory::Calls) holds.
int NameCalls(const std::vector<std::string>& calls) {
  return std::count_if(calls.begin(), calls.end(), [](const std::string& c) {
    return c.starts_with("call:thread/name/set");
  });
}

class SessionManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(SessionManagerOptions()); }
  void Build(SessionManagerOptions options,
             EventLog::Options log_options = EventLog::Options()) {
    manager_.reset();
    log_.reset();
    if (!store_) store_ = *SqliteStore::Open(":memory:");
    log_ = std::make_unique<EventLog>(store_.get(), log_options);
    ASSERT_TRUE(log_->Start().ok());
    manager_ = std::make_unique<SessionManager>(store_.get(), log_.get(),
                                                &factory_, &clock_, options);
  }
  // The manager, once every change made so far is committed: reads of the
  // store may lag runtime callbacks by one group commit (events never do).
  SessionManager* Read() {
    log_->Flush();
    return manager_.get();
  }
  // A session whose runtime is ready (IDLE).
  Session ReadySession(const std::string& thread = "thr_1") {
    CreateSessionParams p;
    p.cwd = ::testing::TempDir();
    absl::StatusOr<Session> s = manager_->CreateSession(p, kOperator);
    EXPECT_TRUE(s.ok()) << s.status();
    manager_->OnReady(factory_.Last(), thread, "0.169.0", {});
    return *Read()->GetSession(s->session_id);
  }
  // The session's persisted events, in order.
  std::vector<Event> Events(const std::string& session_id) {
    log_->Flush();
    EventQuery q;
    q.session_id = session_id;
    q.limit = 1000;
    return *store_->ReadEvents(q);
  }
  // Their types.
  std::vector<EventType> EventTypes(const std::string& session_id) {
    std::vector<EventType> out;
    for (const Event& e : Events(session_id)) out.push_back(e.type);
    return out;
  }
  // Rebuilds the manager with one change per transaction: changes cannot
  // share a commit by chance, so CommitsOf counts changes.
  void BuildOneChangePerCommit() {
    EventLog::Options one_change;
    one_change.max_commit_batch = 1;
    Build(SessionManagerOptions(), one_change);
  }
  // The store commits `change` makes.
  int64_t CommitsOf(const std::function<void()>& change) {
    log_->Flush();
    const int64_t before = store_->Stats().commits;
    change();
    log_->Flush();
    return store_->Stats().commits - before;
  }
  // The last `n` of the session's persisted event types.
  std::vector<EventType> LastEventTypes(const std::string& session_id,
                                        size_t n) {
    const std::vector<EventType> types = EventTypes(session_id);
    return {types.end() - std::min(n, types.size()), types.end()};
  }
  // Starts `prompts` as turns of `s`; the first runs as codex turn "c1"
  // and asks for one command approval.
  std::vector<Turn> TurnsWithAnApproval(const Session& s,
                                        const std::vector<std::string>& prompts) {
    std::vector<Turn> turns;
    for (const std::string& prompt : prompts) {
      turns.push_back(*manager_->StartTurn(s.session_id, prompt, "", kOperator));
    }
    manager_->OnTurnAccepted(factory_.Last(), turns.front().turn_id, "c1");
    manager_->OnServerRequest(
        factory_.Last(), 0, "item/commandExecution/requestApproval",
        {{"turnId", "c1"}, {"itemId", "i1"}, {"command", "ls"}});
    return turns;
  }
  void CompleteTurn(const std::string& codex_turn_id,
                    const std::string& status) {
    manager_->OnNotification(factory_.Last(), "turn/completed",
                             {{"threadId", "thr_1"},
                              {"turn",
                               {{"id", codex_turn_id},
                                {"status", status},
                                {"items", json::array()}}}});
  }

  FakeClock clock_;
  FakeFactory factory_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<SessionManager> manager_;
};

TEST_F(SessionManagerTest, CreateValidatesFieldsByName) {
  CreateSessionParams p;
  auto missing = manager_->CreateSession(p, kOperator);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("cwd"));
  p.cwd = "/definitely/not/here";
  EXPECT_THAT(std::string(manager_->CreateSession(p, kOperator).status().message()),
              HasSubstr("cwd"));
  p.cwd = "relative/dir";
  EXPECT_EQ(manager_->CreateSession(p, kOperator).status().code(),
            absl::StatusCode::kInvalidArgument);
  p.cwd = ::testing::TempDir();
  p.approval_policy = "sometimes";
  EXPECT_THAT(std::string(manager_->CreateSession(p, kOperator).status().message()),
              HasSubstr("approval_policy"));
  p.approval_policy = "untrusted";
  p.sandbox = "open";
  EXPECT_THAT(std::string(manager_->CreateSession(p, kOperator).status().message()),
              HasSubstr("sandbox"));
  EXPECT_EQ(factory_.Count(), 0u);  // nothing launched for bad input
}

TEST_F(SessionManagerTest, LifecycleStartingIdleBusyIdle) {
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  p.approval_policy = "untrusted";
  Session s = *manager_->CreateSession(p, kOperator);
  EXPECT_EQ(s.state, SessionState::kStarting);
  EXPECT_EQ(factory_.Last()->config.approval_policy, "untrusted");
  // A prompt sent while STARTING waits in the queue.
  Turn t = *manager_->StartTurn(s.session_id, "hello", "", kOperator);
  EXPECT_EQ(t.state, TurnState::kQueued);
  manager_->OnReady(factory_.Last(), "thr_1", "0.169.0", {});
  EXPECT_EQ(Read()->GetSession(s.session_id)->thread_id, "thr_1");
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kBusy);
  EXPECT_THAT(factory_.Calls(),
              ::testing::Contains("turn:" + t.turn_id + ":hello"));
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "codex_t1");
  manager_->OnNotification(
      factory_.Last(), "item/completed",
      {{"turnId", "codex_t1"},
       {"item", {{"type", "agentMessage"}, {"id", "m"}, {"text", "Hi!"}}}});
  CompleteTurn("codex_t1", "completed");
  Turn done = *Read()->GetTurn(t.turn_id);
  EXPECT_EQ(done.state, TurnState::kCompleted);
  EXPECT_EQ(done.codex_turn_id, "codex_t1");
  EXPECT_EQ(done.final_message, "Hi!");
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
  EXPECT_EQ(EventTypes(s.session_id),
            (std::vector<EventType>{
                EventType::kSessionStateChanged,  // STARTING
                EventType::kTurnStateChanged,     // QUEUED
                EventType::kSessionStateChanged,  // IDLE
                EventType::kTurnStateChanged,     // RUNNING
                EventType::kSessionStateChanged,  // BUSY
                EventType::kItemCompleted,
                EventType::kTurnStateChanged,     // COMPLETED
                EventType::kSessionStateChanged,  // IDLE
            }));
}

TEST_F(SessionManagerTest, ATurnsEndAndItsSessionsIdleCommitTogether) {
  BuildOneChangePerCommit();
  Session s = ReadySession();
  const Turn t = TurnsWithAnApproval(s, {"hello"}).front();
  EXPECT_EQ(CommitsOf([&] { CompleteTurn("c1", "completed"); }), 1);
  EXPECT_EQ(LastEventTypes(s.session_id, 3),
            (std::vector<EventType>{EventType::kTurnStateChanged,
                                    EventType::kApprovalResolved,
                                    EventType::kSessionStateChanged}));
  EXPECT_EQ(Read()->GetTurn(t.turn_id)->state, TurnState::kCompleted);
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
}

TEST_F(SessionManagerTest, AQueuedTurnRunsAndItsSessionIsBusyInOneCommit) {
  BuildOneChangePerCommit();
  Session s = ReadySession();
  const Turn next = TurnsWithAnApproval(s, {"first", "second"}).back();
  // The first turn's end with IDLE, then the second RUNNING with BUSY.
  EXPECT_EQ(CommitsOf([&] { CompleteTurn("c1", "completed"); }), 2);
  EXPECT_EQ(LastEventTypes(s.session_id, 2),
            (std::vector<EventType>{EventType::kTurnStateChanged,
                                    EventType::kSessionStateChanged}));
  EXPECT_EQ(Read()->GetTurn(next.turn_id)->state, TurnState::kRunning);
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kBusy);
}

TEST_F(SessionManagerTest, AStoppedSessionsTurnsApprovalsAndStateCommitTogether) {
  BuildOneChangePerCommit();
  Session s = ReadySession();
  const std::vector<Turn> turns = TurnsWithAnApproval(s, {"first", "second"});
  EXPECT_EQ(CommitsOf([&] {
              ASSERT_TRUE(
                  manager_->StopSession(s.session_id, false, kOperator).ok());
            }),
            1);
  EXPECT_EQ(LastEventTypes(s.session_id, 4),
            (std::vector<EventType>{EventType::kTurnStateChanged,
                                    EventType::kApprovalResolved,
                                    EventType::kTurnStateChanged,
                                    EventType::kSessionStateChanged}));
  for (const Turn& t : turns) {
    EXPECT_EQ(Read()->GetTurn(t.turn_id)->state, TurnState::kInterrupted);
  }
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kStopped);
}

TEST_F(SessionManagerTest, TurnsRunOneAtATimeInFifoOrder) {
  Session s = ReadySession();
  Turn a = *manager_->StartTurn(s.session_id, "first", "", kOperator);
  Turn b = *manager_->StartTurn(s.session_id, "second", "", kOperator);
  EXPECT_EQ(Read()->GetTurn(a.turn_id)->state, TurnState::kRunning);
  EXPECT_EQ(Read()->GetTurn(b.turn_id)->state, TurnState::kQueued);
  manager_->OnTurnAccepted(factory_.Last(), a.turn_id, "c1");
  CompleteTurn("c1", "completed");
  EXPECT_EQ(Read()->GetTurn(b.turn_id)->state, TurnState::kRunning);
  std::vector<std::string> turns;
  for (const std::string& c : factory_.Calls()) {
    if (c.rfind("turn:", 0) == 0) turns.push_back(c);
  }
  EXPECT_EQ(turns, (std::vector<std::string>{"turn:" + a.turn_id + ":first",
                                             "turn:" + b.turn_id + ":second"}));
}

TEST_F(SessionManagerTest, StartTurnErrors) {
  Session s = ReadySession();
  EXPECT_EQ(manager_->StartTurn(s.session_id, "  \n", "", kOperator).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto unknown = manager_->StartTurn("ses_missing", "hi", "", kOperator);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("ses_missing"));
  ASSERT_TRUE(manager_->ArchiveSession(s.session_id, kOperator).ok());
  EXPECT_EQ(manager_->StartTurn(s.session_id, "hi", "", kOperator).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionManagerTest, RequestIdsMakeCreateAndStartIdempotent) {
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  p.request_id = "create-1";
  Session a = *manager_->CreateSession(p, kOperator);
  Session b = *manager_->CreateSession(p, kOperator);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(factory_.Count(), 1u);
  Turn t1 = *manager_->StartTurn(a.session_id, "hi", "turn-1", kOperator);
  Turn t2 = *manager_->StartTurn(a.session_id, "hi", "turn-1", kOperator);
  EXPECT_EQ(t1.turn_id, t2.turn_id);
  // Each key carries its resource's time (the manager's clock), which
  // retention goes by.
  EXPECT_EQ((*store_->GetRequestKey("CreateSession", "create-1"))->create_time,
            a.create_time);
  EXPECT_EQ((*store_->GetRequestKey("StartTurn", "turn-1"))->create_time,
            t1.create_time);
}

TEST_F(SessionManagerTest, ARequestIdAnswersOnlyTheRequestThatFirstUsedIt) {
  Caller first = kOperator;
  first.request_digest = "digest-1";
  Caller other = kOperator;
  other.request_digest = "digest-2";
  Session a = ReadySession("thr_a");
  Session b = ReadySession("thr_b");
  Turn t = *manager_->StartTurn(a.session_id, "hi", "turn-1", first);
  EXPECT_EQ(manager_->StartTurn(a.session_id, "hi", "turn-1", first)->turn_id,
            t.turn_id);
  // Before digests, this answered with the turn of session a.
  absl::StatusOr<Turn> refused =
      manager_->StartTurn(b.session_id, "hi", "turn-1", other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::StartsWith("request_id: turn-1 was first used by a "
                                    "different request"));
  EXPECT_TRUE(Read()->ListTurns(b.session_id, {0, 10})->items.empty());
  // A key stored without a digest (before they were) matches any request,
  // as every key did then.
  Turn legacy = *manager_->StartTurn(a.session_id, "hi", "turn-2", kOperator);
  EXPECT_EQ(manager_->StartTurn(a.session_id, "hi", "turn-2", other)->turn_id,
            legacy.turn_id);
}

TEST_F(SessionManagerTest, ApprovalIsDecidedExactlyOnce) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "run ls", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  manager_->OnServerRequest(
      factory_.Last(), 0, "item/commandExecution/requestApproval",
      {{"turnId", "c1"}, {"itemId", "i1"}, {"command", "ls"}});
  auto pending = *Read()->ListApprovals(s.session_id, true, {0, 100});
  ASSERT_EQ(pending.items.size(), 1u);
  const Approval a = pending.items[0];
  EXPECT_EQ(a.turn_id, t.turn_id);
  EXPECT_EQ(a.command, "ls");
  EXPECT_EQ(Read()->GetSession(s.session_id)->pending_approvals, 1);

  // Eight people decide at once: one wins, the others are told who did.
  std::atomic<int> wins{0}, refused{0};
  std::vector<std::thread> people;
  for (int i = 0; i < 8; ++i) {
    people.emplace_back([&, i] {
      auto r = manager_->ResolveApproval(
          a.approval_id, i % 2 ? Decision::kDeny : Decision::kApprove, {}, "", kOperator);
      if (r.ok()) {
        ++wins;
      } else if (r.status().code() == absl::StatusCode::kFailedPrecondition &&
                 r.status().message().find("already decided") !=
                     absl::string_view::npos) {
        ++refused;
      }
    });
  }
  for (std::thread& p : people) p.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  auto responses = factory_.Responses();
  ASSERT_EQ(responses.size(), 1u);  // Codex hears exactly one answer
  EXPECT_EQ(responses[0]["id"], 0);
  const std::string decision = responses[0]["result"]["decision"];
  EXPECT_TRUE(decision == "accept" || decision == "decline") << decision;
  EXPECT_EQ(Read()->GetSession(s.session_id)->pending_approvals, 0);
}

TEST_F(SessionManagerTest, TheRuntimeVersionIsKeptAndAnUntestedOneWarned) {
  Session s = ReadySession();
  EXPECT_EQ(s.runtime_version, "0.169.0");
  std::vector<EventType> types = EventTypes(s.session_id);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kWarning), 0);
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  Session old = *manager_->CreateSession(p, kOperator);
  manager_->OnReady(factory_.Last(), "thr_2", "0.150.0", {});
  EXPECT_EQ(Read()->GetSession(old.session_id)->runtime_version, "0.150.0");
  types = EventTypes(old.session_id);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kWarning), 1);
}

TEST_F(SessionManagerTest, TheRuntimeWarningIsSaidToEachSessionWhenReady) {
  SessionManagerOptions options;
  options.runtime_warning = "Codex's sandbox cannot start on this server";
  Build(options);
  Session s = ReadySession();
  std::vector<std::string> warnings;
  for (const Event& e : Events(s.session_id)) {
    if (e.type == EventType::kWarning) {
      warnings.push_back(e.payload.value("message", ""));
    }
  }
  EXPECT_THAT(warnings, ElementsAre("Codex's sandbox cannot start on this server"));
}

TEST(CodexVersionTest, TheTestedRange) {
  EXPECT_TRUE(IsTestedCodexVersion("0.168.0"));
  EXPECT_TRUE(IsTestedCodexVersion("0.169.0"));
  EXPECT_TRUE(IsTestedCodexVersion("0.171.0"));
  EXPECT_TRUE(IsTestedCodexVersion("0.170.2-alpha.1"));
  EXPECT_FALSE(IsTestedCodexVersion("0.167.9"));
  EXPECT_FALSE(IsTestedCodexVersion("0.172.0"));
  EXPECT_FALSE(IsTestedCodexVersion("1.0"));
  EXPECT_FALSE(IsTestedCodexVersion(""));
  EXPECT_FALSE(IsTestedCodexVersion("x.y"));
  EXPECT_FALSE(IsTestedCodexVersion("0..169"));
  EXPECT_EQ(RuntimeVersionOf("codex-manager/0.169.0 (Debian 12.0.0; x86_64) "
                             "xterm (codex-manager; 0.1.0)"),
            "0.169.0");
  EXPECT_EQ(RuntimeVersionOf("no-slash"), "");
  EXPECT_EQ(RuntimeVersionOf("a/0.1;rm -rf"), "");
}

TEST_F(SessionManagerTest, UpdateSessionCommitsTheChangeWithItsEvent) {
  Session s = ReadySession();
  const size_t before = Events(s.session_id).size();
  SessionUpdate update;
  update.title = "renamed";
  update.model = s.model;  // unchanged: not named
  update.effort = "high";
  absl::StatusOr<Session> updated =
      manager_->UpdateSession(s.session_id, update, kOperator);
  ASSERT_TRUE(updated.ok()) << updated.status();
  std::vector<Event> events = Events(s.session_id);
  ASSERT_EQ(events.size(), before + 1);
  const Event& e = events.back();
  EXPECT_EQ(e.type, EventType::kSessionUpdated);
  EXPECT_EQ(e.turn_id, "");
  EXPECT_EQ(e.payload["changed_fields"],
            nlohmann::json::array({"title", "effort"}));
  EXPECT_EQ(e.payload["title"], "renamed");
  EXPECT_EQ(e.payload["effort"], "high");
  EXPECT_EQ(e.payload["model"], s.model);
  EXPECT_EQ(e.payload["sandbox"], s.sandbox);
  EXPECT_EQ(updated->last_seq, e.session_seq);

  // The same values again change nothing: no event, no new update_time
  // (later by the clock).
  clock_.Advance(absl::Seconds(1));
  absl::StatusOr<Session> again =
      manager_->UpdateSession(s.session_id, update, kOperator);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(Events(s.session_id).size(), before + 1);
  EXPECT_EQ(again->update_time, updated->update_time);
  EXPECT_EQ(again->title, "renamed");

  // Back to Codex's default effort: "" is a value, and is named.
  SessionUpdate cleared;
  cleared.effort = "";
  ASSERT_TRUE(manager_->UpdateSession(s.session_id, cleared, kOperator).ok());
  events = Events(s.session_id);
  ASSERT_EQ(events.size(), before + 2);
  EXPECT_EQ(events.back().payload["changed_fields"],
            nlohmann::json::array({"effort"}));
  EXPECT_EQ(events.back().payload["effort"], "");
  EXPECT_EQ(events.back().payload["title"], "renamed");

  // Codex's thread was named once: for the one update that renamed it.
  const std::vector<std::string> calls = factory_.Calls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(),
                       R"(call:thread/name/set {"name":"renamed"})"),
            1);
  EXPECT_EQ(NameCalls(calls),
            1);
}

TEST_F(SessionManagerTest, ATitledSessionNamesItsThreadOnceReady) {
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  p.title = "nightly build";
  absl::StatusOr<Session> s = manager_->CreateSession(p, kOperator);
  ASSERT_TRUE(s.ok()) << s.status();
  // Renamed while starting: the name waits for the thread.
  SessionUpdate update;
  update.title = "nightly";
  ASSERT_TRUE(manager_->UpdateSession(s->session_id, update, kOperator).ok());
  std::vector<std::string> calls = factory_.Calls();
  EXPECT_EQ(NameCalls(calls),
            0);
  manager_->OnReady(factory_.Last(), "thr_1", "0.171.0", {});
  calls = factory_.Calls();
  EXPECT_EQ(std::count(calls.begin(), calls.end(),
                       R"(call:thread/name/set {"name":"nightly"})"),
            1);
}

TEST_F(SessionManagerTest, CodexSettingsComeFromTheStartAnswerAndTurns) {
  BuildOneChangePerCommit();
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  absl::StatusOr<Session> s = manager_->CreateSession(p, kOperator);
  ASSERT_TRUE(s.ok()) << s.status();
  const json answer = json::parse(R"({
      "thread": {"id": "thr_1"}, "model": "gpt-5.5", "modelProvider": "mock",
      "approvalPolicy": "on-request", "approvalsReviewer": "user",
      "sandbox": {"type": "workspaceWrite"}})");
  // Ready: the settings, the row and the event, with the session's IDLE.
  EXPECT_EQ(CommitsOf([&] {
              manager_->OnReady(factory_.Last(), "thr_1", "0.171.0", answer);
            }),
            1);
  const CodexSettings started = {"gpt-5.5",         "mock", "", "on-request",
                                 "workspace-write", "user", "", ""};
  EXPECT_EQ(Read()->GetSession(s->session_id)->codex_settings, started);
  std::vector<Event> events = Events(s->session_id);
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.back().type, EventType::kCodexSettingsChanged);
  EXPECT_EQ(events.back().payload["codex_settings"],
            CodexSettingsToJson(started));
  EXPECT_EQ(events.end()[-2].type, EventType::kSessionStateChanged);

  // A turn's overrides changed them: the row and the event in that turn,
  // in one commit, while it runs; no RAW.
  absl::StatusOr<Turn> turn =
      manager_->StartTurn(s->session_id, "hi", "", kOperator);
  ASSERT_TRUE(turn.ok()) << turn.status();
  manager_->OnTurnAccepted(factory_.Last(), turn->turn_id, "c1");
  // Codex 0.171 names its default mode at the first turn, nothing else
  // changed: the same settings, nothing to commit, no event.
  EXPECT_EQ(CommitsOf([&] {
              manager_->OnNotification(
                  factory_.Last(), "thread/settings/updated",
                  json::parse(R"({"threadId": "thr_1", "threadSettings": {
                      "model": "gpt-5.5", "modelProvider": "mock",
                      "approvalPolicy": "on-request",
                      "approvalsReviewer": "user",
                      "sandboxPolicy": {"type": "workspaceWrite"},
                      "collaborationMode": {"mode": "default"}}})"));
            }),
            0);
  EXPECT_EQ(Read()->GetSession(s->session_id)->codex_settings, started);
  const json overridden = json::parse(R"({"threadId": "thr_1",
      "threadSettings": {"model": "gpt-5.4", "modelProvider": "mock",
      "effort": "high", "approvalPolicy": "never", "approvalsReviewer": "user",
      "sandboxPolicy": {"type": "readOnly"}}})");
  EXPECT_EQ(CommitsOf([&] {
              manager_->OnNotification(factory_.Last(),
                                       "thread/settings/updated", overridden);
            }),
            1);
  const CodexSettings changed = {"gpt-5.4",   "mock", "high", "never",
                                 "read-only", "user", "",     ""};
  EXPECT_EQ(Read()->GetSession(s->session_id)->codex_settings, changed);
  events = Events(s->session_id);
  EXPECT_EQ(events.back().type, EventType::kCodexSettingsChanged);
  EXPECT_EQ(events.back().turn_id, turn->turn_id);
  EXPECT_EQ(events.back().payload["codex_settings"],
            CodexSettingsToJson(changed));
  // Said again: nothing to commit, no event.
  EXPECT_EQ(CommitsOf([&] {
              manager_->OnNotification(factory_.Last(),
                                       "thread/settings/updated", overridden);
            }),
            0);
  CompleteTurn("c1", "completed");
  EXPECT_EQ(Read()->GetSession(s->session_id)->codex_settings, changed);
  std::vector<EventType> types = EventTypes(s->session_id);
  EXPECT_EQ(
      std::count(types.begin(), types.end(), EventType::kCodexSettingsChanged),
      2);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kRaw), 0);
}

TEST_F(SessionManagerTest, APlanTurnsModeIsForThatTurn) {
  Session s = ReadySession();
  // What turn/start is told, by turn, as Codex's thread moves between
  // modes (thread/settings/updated, at each turn's start).
  auto run = [&](const std::string& asked, const std::string& thread_mode,
                 const std::string& codex_turn_id) {
    TurnSettings settings;
    settings.collaboration_mode = asked;
    Turn t = *manager_->StartTurn(s.session_id, "p", "", kOperator, settings);
    manager_->OnTurnAccepted(factory_.Last(), t.turn_id, codex_turn_id);
    manager_->OnNotification(
        factory_.Last(), "thread/settings/updated",
        {{"threadId", "thr_1"},
         {"threadSettings",
          {{"model", "m"}, {"collaborationMode", {{"mode", thread_mode}}}}}});
    CompleteTurn(codex_turn_id, "completed");
    absl::MutexLock lock(&factory_.log.mu);
    return factory_.log.settings.back().collaboration_mode;
  };
  EXPECT_EQ(run("", "default", "c0"), "");  // a default thread: nothing
  EXPECT_EQ(run("plan", "plan", "c1"), "plan");
  EXPECT_EQ(Read()->GetSession(s.session_id)->codex_settings.collaboration_mode,
            "plan");
  EXPECT_EQ(run("plan", "plan", "c2"), "");        // already planning
  EXPECT_EQ(run("", "default", "c3"), "default");  // the next turn leaves it
  EXPECT_EQ(run("default", "default", "c4"), "");
  TurnSettings bad;
  bad.collaboration_mode = "pair";
  EXPECT_EQ(manager_->StartTurn(s.session_id, "p", "", kOperator, bad)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SessionManagerTest, AReviewerOtherThanAPersonMidSessionFailsIt) {
  Session s = ReadySession();
  absl::StatusOr<Turn> turn =
      manager_->StartTurn(s.session_id, "hi", "", kOperator);
  ASSERT_TRUE(turn.ok()) << turn.status();
  manager_->OnTurnAccepted(factory_.Last(), turn->turn_id, "c1");
  manager_->OnNotification(factory_.Last(), "thread/settings/updated",
                           json::parse(R"({"threadId": "thr_1",
      "threadSettings": {"model": "m", "approvalsReviewer": "auto_review"}})"));
  Session failed = *Read()->GetSession(s.session_id);
  EXPECT_EQ(failed.state, SessionState::kFailed);
  EXPECT_THAT(failed.last_error,
              HasSubstr("routes this thread's approvals to reviewer "
                        "\"auto_review\", not to a person"));
  EXPECT_EQ(Read()->GetTurn(turn->turn_id)->state, TurnState::kFailed);
}

TEST_F(SessionManagerTest, HooksCodexWillNotRunAreSaidOnceReady) {
  {
    absl::MutexLock lock(&factory_.log.mu);
    factory_.log.thread_answers["hooks/list"] = json::parse(R"({"data":[{
        "hooks":[{"eventName":"preToolUse","command":"/h/check.sh",
                  "sourcePath":"/h/config.toml","enabled":true,
                  "trustStatus":"untrusted"}],"errors":[]}]})");
  }
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  Session s = *manager_->CreateSession(p, kOperator);
  manager_->OnReady(factory_.Last(), "thr_1", "0.171.0", {});
  std::vector<std::string> calls = factory_.Calls();
  EXPECT_THAT(calls, Contains("call:hooks/list"));
  std::vector<Event> warnings;
  for (const Event& e : Events(s.session_id)) {
    if (e.type == EventType::kWarning) warnings.push_back(e);
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0].payload.value("message", ""),
              HasSubstr("Codex skips 1 hook it was not told to trust"));
  EXPECT_THAT(warnings[0].payload.value("details", ""),
              HasSubstr("preToolUse hook in /h/config.toml: not trusted"));

  // Trusted hooks (or a Codex without hooks/list) say nothing.
  {
    absl::MutexLock lock(&factory_.log.mu);
    factory_.log.thread_answers["hooks/list"] =
        json::parse(R"({"data":[{"hooks":[{"eventName":"stop",
            "enabled":true,"trustStatus":"trusted"}]}]})");
  }
  Session quiet = *manager_->CreateSession(p, kOperator);
  manager_->OnReady(factory_.Last(), "thr_2", "0.171.0", {});
  std::vector<EventType> types = EventTypes(quiet.session_id);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kWarning), 0);
}

TEST_F(SessionManagerTest, TurnSettingsOverrideTheSessionsForOneTurn) {
  Session s = ReadySession();
  SessionUpdate update;
  update.model = "gpt-5.1-codex";
  update.effort = "high";
  update.title = "renamed";
  update.service_tier = "priority";
  absl::StatusOr<Session> updated =
      manager_->UpdateSession(s.session_id, update, kOperator);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->title, "renamed");
  EXPECT_EQ(updated->effort, "high");
  EXPECT_EQ(updated->service_tier, "priority");
  SessionUpdate bad;
  bad.sandbox = "everything";
  EXPECT_EQ(manager_->UpdateSession(s.session_id, bad, kOperator).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.effort = "HIGH; rm";
  EXPECT_EQ(manager_->UpdateSession(s.session_id, bad, kOperator).status().code(),
            absl::StatusCode::kInvalidArgument);
  bad = {};
  bad.service_tier = "fast lane";
  EXPECT_EQ(
      manager_->UpdateSession(s.session_id, bad, kOperator).status().code(),
      absl::StatusCode::kInvalidArgument);

  const std::string dir = ::testing::TempDir();
  {
    std::ofstream(dir + "/shot.png") << "png";
  }
  TurnSettings one;
  one.model = "gpt-5.1-codex-mini";
  one.summary = "concise";
  one.output_schema_json = R"({"type":"object"})";
  one.image_paths = {"shot.png"};
  one.service_tier = "default";
  Turn t = *manager_->StartTurn(s.session_id, "first", "", kOperator, one);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  CompleteTurn("c1", "completed");
  Turn t2 = *manager_->StartTurn(s.session_id, "second", "", kOperator);
  (void)t2;
  std::vector<TurnSettings> sent;
  {
    absl::MutexLock lock(&factory_.log.mu);
    sent = factory_.log.settings;
  }
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].model, "gpt-5.1-codex-mini");  // the turn's override
  EXPECT_EQ(sent[0].effort, "high");               // the session's
  EXPECT_EQ(sent[0].summary, "concise");
  EXPECT_EQ(sent[0].service_tier, "default");  // the turn's
  EXPECT_EQ(sent[1].service_tier, "priority");  // the session's
  ASSERT_EQ(sent[0].image_paths.size(), 1u);
  EXPECT_EQ(sent[0].image_paths[0],
            std::filesystem::canonical(dir + "/shot.png").string());
  EXPECT_EQ(sent[1].model, "gpt-5.1-codex");  // back to the session's
  EXPECT_TRUE(sent[1].output_schema_json.empty());
  EXPECT_TRUE(sent[1].image_paths.empty());

  // Refused, naming the field, and nothing queued.
  TurnSettings outside;
  outside.image_paths = {"/etc/hostname"};
  auto refused = manager_->StartTurn(s.session_id, "x", "", kOperator, outside);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("outside the session's cwd"));
  TurnSettings schema;
  schema.output_schema_json = "[1]";
  EXPECT_THAT(std::string(manager_->StartTurn(s.session_id, "x", "", kOperator,
                                              schema)
                              .status()
                              .message()),
              ::testing::HasSubstr("output_schema_json"));
}

// Runs each prompt as a turn of `s` to completion; its Codex turn id is
// "c" and its index from 1.
std::vector<Turn> CompletedTurns(SessionManager* manager, FakeFactory& factory,
                                 const Session& s, int n) {
  std::vector<Turn> turns;
  for (int i = 1; i <= n; ++i) {
    const std::string codex = "c" + std::to_string(i);
    turns.push_back(*manager->StartTurn(s.session_id, "prompt " + codex, "",
                                        kOperator));
    manager->OnTurnAccepted(factory.Last(), turns.back().turn_id, codex);
    manager->OnNotification(
        factory.Last(), "turn/completed",
        {{"threadId", "thr_1"},
         {"turn",
          {{"id", codex}, {"status", "completed"}, {"items", json::array()}}}});
  }
  return turns;
}

absl::StatusOr<RevertResult> Revert(SessionManager* manager,
                                    const std::string& session_id,
                                    const std::string& turn_id) {
  absl::StatusOr<RevertResult> out = absl::UnknownError("not called");
  manager->RevertSession(session_id, turn_id, kOperator,
                         [&out](absl::StatusOr<RevertResult> r) { out = r; });
  return out;
}

TEST_F(SessionManagerTest, RevertTakesTheTurnAndLaterOnesOutWithOneEvent) {
  Session s = ReadySession();
  std::vector<Turn> turns = CompletedTurns(manager_.get(), factory_, s, 3);
  absl::StatusOr<RevertResult> r =
      Revert(manager_.get(), s.session_id, turns[1].turn_id);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->reverted_turn_ids,
              ElementsAre(turns[1].turn_id, turns[2].turn_id));
  EXPECT_THAT(factory_.Calls(),
              Contains("call:thread/revert {\"beforeTurnId\":\"c2\"}"));
  EXPECT_FALSE(Read()->GetTurn(turns[0].turn_id)->revert_time.has_value());
  EXPECT_TRUE(Read()->GetTurn(turns[1].turn_id)->revert_time.has_value());
  EXPECT_TRUE(Read()->GetTurn(turns[2].turn_id)->revert_time.has_value());
  const Event last = Events(s.session_id).back();
  EXPECT_EQ(last.type, EventType::kSessionReverted);
  EXPECT_EQ(last.payload["before_turn_id"], turns[1].turn_id);

  // Again at a reverted turn: refused, and Codex is not asked.
  const size_t calls = factory_.Calls().size();
  absl::StatusOr<RevertResult> again =
      Revert(manager_.get(), s.session_id, turns[2].turn_id);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), HasSubstr("was reverted"));
  EXPECT_EQ(factory_.Calls().size(), calls);
  // The turns after a revert can be reverted in turn.
  std::vector<Turn> more = CompletedTurns(manager_.get(), factory_, s, 1);
  r = Revert(manager_.get(), s.session_id, turns[0].turn_id);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->reverted_turn_ids,
              ElementsAre(turns[0].turn_id, more[0].turn_id));
}

TEST_F(SessionManagerTest, ATurnQueuedWhileCodexRevertsWaitsAndIsNotReverted) {
  Session s = ReadySession();
  std::vector<Turn> turns = CompletedTurns(manager_.get(), factory_, s, 2);
  factory_.AnswerLater("thread/revert");
  absl::StatusOr<RevertResult> out = absl::UnknownError("not called");
  manager_->RevertSession(s.session_id, turns[1].turn_id, kOperator,
                          [&out](absl::StatusOr<RevertResult> r) { out = r; });
  EXPECT_EQ(out.status().message(), "not called");
  absl::StatusOr<Turn> after =
      manager_->StartTurn(s.session_id, "after", "", kOperator);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_THAT(factory_.Calls(),
              Not(Contains("turn:" + after->turn_id + ":after")));
  std::function<void(absl::StatusOr<json>)> answer =
      factory_.TakeUnanswered("thread/revert");
  answer(json::object());  // on "Codex's" thread: no lock of ours held
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_THAT(out->reverted_turn_ids, ElementsAre(turns[1].turn_id));
  EXPECT_THAT(factory_.Calls(), Contains("turn:" + after->turn_id + ":after"));
  EXPECT_FALSE(Read()->GetTurn(after->turn_id)->revert_time.has_value());
}

TEST_F(SessionManagerTest, ARevertCodexAnsweredIsRecordedThoughTheSessionStopped) {
  Session s = ReadySession();
  std::vector<Turn> turns = CompletedTurns(manager_.get(), factory_, s, 1);
  factory_.AnswerLater("thread/revert");
  absl::StatusOr<RevertResult> out = absl::UnknownError("not called");
  manager_->RevertSession(s.session_id, turns[0].turn_id, kOperator,
                          [&out](absl::StatusOr<RevertResult> r) { out = r; });
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  std::function<void(absl::StatusOr<json>)> answer =
      factory_.TakeUnanswered("thread/revert");
  answer(json::object());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->session.state, SessionState::kStopped);
  EXPECT_TRUE(Read()->GetTurn(turns[0].turn_id)->revert_time.has_value());
  EXPECT_EQ(Events(s.session_id).back().type, EventType::kSessionReverted);
}

TEST_F(SessionManagerTest, RevertNeedsALiveIdleSession) {
  Session s = ReadySession();
  std::vector<Turn> turns = CompletedTurns(manager_.get(), factory_, s, 1);
  EXPECT_EQ(Revert(manager_.get(), s.session_id, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Revert(manager_.get(), s.session_id, "turn_nope").status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(manager_->StartTurn(s.session_id, "busy", "", kOperator).ok());
  absl::StatusOr<RevertResult> busy =
      Revert(manager_.get(), s.session_id, turns[0].turn_id);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(busy.status().message(), HasSubstr("running or queued"));
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  absl::StatusOr<RevertResult> stopped =
      Revert(manager_.get(), s.session_id, turns[0].turn_id);
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(stopped.status().message(), HasSubstr("ResumeSession first"));
  for (const std::string& c : factory_.Calls()) {
    EXPECT_FALSE(c.starts_with("call:thread/revert")) << c;
  }
}

TEST_F(SessionManagerTest, SteerGoesToTheRunningTurnOnly) {
  Session s = ReadySession();
  auto steer = [&](const std::string& turn_id, const std::string& prompt) {
    absl::StatusOr<Turn> out = absl::UnknownError("done not called");
    manager_->SteerTurn(s.session_id, turn_id, prompt, kOperator,
                        [&](absl::StatusOr<Turn> r) { out = std::move(r); });
    return out;
  };
  EXPECT_EQ(steer("", "more").status().code(),
            absl::StatusCode::kFailedPrecondition);  // nothing runs
  Turn t = *manager_->StartTurn(s.session_id, "work", "", kOperator);
  EXPECT_EQ(steer("", "more").status().code(),
            absl::StatusCode::kUnavailable);  // Codex has not named it yet
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  EXPECT_EQ(steer("", "  ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(steer("turn_nope", "x").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<Turn> steered = steer(t.turn_id, "use tabs");
  ASSERT_TRUE(steered.ok()) << steered.status();
  EXPECT_EQ(steered->turn_id, t.turn_id);
  EXPECT_EQ(factory_.Calls().back(), "steer:c1:use tabs");
  {
    absl::MutexLock lock(&factory_.log.mu);
    factory_.log.steer_answer =
        absl::FailedPreconditionError("Codex refused turn/steer: no active turn");
  }
  EXPECT_EQ(steer("", "late").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A queued turn is not the running one.
  Turn queued = *manager_->StartTurn(s.session_id, "next", "", kOperator);
  EXPECT_EQ(steer(queued.turn_id, "x").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionManagerTest, AShellCommandTakesNoSteer) {
  Session s = ReadySession();
  TurnSettings shell;
  shell.shell_command = "make test";
  Turn t = *manager_->StartTurn(s.session_id, "!make test", "", kOperator, shell);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  absl::StatusOr<Turn> out = absl::UnknownError("done not called");
  manager_->SteerTurn(s.session_id, "", "and then?", kOperator,
                      [&](absl::StatusOr<Turn> r) { out = std::move(r); });
  EXPECT_EQ(out.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(out.status().message()),
              ::testing::HasSubstr("is a shell command"));
  EXPECT_NE(factory_.Calls().back().rfind("steer:", 0), 0u);  // Codex not asked
}

TEST_F(SessionManagerTest, BackgroundTerminalsAreListedAndEndedInTheLiveThread) {
  Session s = ReadySession();
  {
    absl::MutexLock lock(&factory_.log.mu);
    factory_.log.thread_answers["thread/backgroundTerminals/list"] =
        json::parse(R"({"data":[{"itemId":"call_1","processId":"95110",
            "command":"sleep 300","cwd":"/w"}],"nextCursor":null})");
    factory_.log.thread_answers["thread/backgroundTerminals/terminate"] =
        json::parse(R"({"terminated":true})");
  }
  auto list = [&](const std::string& session_id) {
    absl::StatusOr<std::vector<BackgroundTerminal>> out =
        absl::UnknownError("done not called");
    manager_->ListBackgroundTerminals(
        session_id, [&](auto r) { out = std::move(r); });
    return out;
  };
  auto terminate = [&](const std::string& session_id,
                       const std::string& process_id) {
    absl::Status out = absl::UnknownError("done not called");
    manager_->TerminateBackgroundTerminals(session_id, process_id, kOperator,
                                           [&](absl::Status r) { out = r; });
    return out;
  };
  auto audited = [&] {
    return store_->ListAudit(AuditQuery(), PageRequest())->items.size();
  };

  absl::StatusOr<std::vector<BackgroundTerminal>> listed = list(s.session_id);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].process_id, "95110");
  EXPECT_EQ(factory_.Calls().back(),
            R"(call:thread/backgroundTerminals/list {"limit":100})");

  const size_t before = audited();
  EXPECT_TRUE(terminate(s.session_id, "95110").ok());
  EXPECT_EQ(factory_.Calls().back(),
            R"(call:thread/backgroundTerminals/terminate {"processId":"95110"})");
  EXPECT_EQ(audited(), before + 1);
  EXPECT_TRUE(terminate(s.session_id, "").ok());
  EXPECT_EQ(factory_.Calls().back(), "call:thread/backgroundTerminals/clean");
  EXPECT_EQ(audited(), before + 2);
  {
    absl::MutexLock lock(&factory_.log.mu);
    factory_.log.thread_answers["thread/backgroundTerminals/terminate"] =
        json::parse(R"({"terminated":false})");
  }
  absl::Status gone = terminate(s.session_id, "95110");
  EXPECT_EQ(gone.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(gone.message(), HasSubstr("no background terminal 95110"));
  EXPECT_EQ(audited(), before + 2);  // failures are the guard's to audit

  EXPECT_EQ(list("ses_nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(terminate("ses_nope", "").code(), absl::StatusCode::kNotFound);

  // Stopped: nothing runs, and Codex is not asked. (Requests only: the
  // janitor records the runtime's "stop" on its own thread, whenever.)
  auto requests = [&] {
    const std::vector<std::string> all = factory_.Calls();
    return std::count_if(all.begin(), all.end(), [](const std::string& c) {
      return c.starts_with("call:");
    });
  };
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  const auto calls = requests();
  listed = list(s.session_id);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_TRUE(listed->empty());
  EXPECT_EQ(terminate(s.session_id, "95110").code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(terminate(s.session_id, "").ok());
  EXPECT_EQ(requests(), calls);
}

TEST_F(SessionManagerTest, OnlyTheDecisionsCodexOffersAreAccepted) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "run ls", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  // Under `untrusted`, codex 0.169 offers no "decline".
  manager_->OnServerRequest(
      factory_.Last(), 4, "item/commandExecution/requestApproval",
      json::parse(R"({"turnId":"c1","itemId":"i1","command":"ls",
        "availableDecisions":["accept",{"acceptWithExecpolicyAmendment":
          {"execpolicy_amendment":["ls"]}},"cancel"]})"));
  const Approval a =
      Read()->ListApprovals(s.session_id, false, {0, 100})->items.at(0);
  auto denied =
      manager_->ResolveApproval(a.approval_id, Decision::kDeny, {}, "", kOperator);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(denied.status().message(),
            "decision: DENY is not offered; Codex offers APPROVE, "
            "APPROVE_AND_REMEMBER, ABORT for approval " +
                a.approval_id);
  EXPECT_TRUE(factory_.Responses().empty());  // nothing was decided
  auto remembered = manager_->ResolveApproval(
      a.approval_id, Decision::kApproveAndRemember, {}, "", kOperator);
  ASSERT_TRUE(remembered.ok()) << remembered.status();
  EXPECT_EQ(remembered->state, ApprovalState::kApproved);
  auto responses = factory_.Responses();
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0]["result"],
            json::parse(R"({"decision":{"acceptWithExecpolicyAmendment":
                {"execpolicy_amendment":["ls"]}}})"));
}

TEST_F(SessionManagerTest, AbortingAQuestionInterruptsTheTurn) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "ask", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  manager_->OnServerRequest(
      factory_.Last(), 5, "item/tool/requestUserInput",
      {{"turnId", "c1"}, {"itemId", "i1"}, {"questions", json::array()}});
  const Approval a =
      Read()->ListApprovals(s.session_id, false, {0, 100})->items.at(0);
  auto aborted = manager_->ResolveApproval(a.approval_id, Decision::kAbort,
                                           {{"q", "ignored"}}, "", kOperator);
  ASSERT_TRUE(aborted.ok()) << aborted.status();
  EXPECT_EQ(aborted->state, ApprovalState::kDenied);
  EXPECT_EQ(factory_.Responses().at(0)["result"],
            json({{"answers", json::object()}}));
  const std::vector<std::string> calls = factory_.Calls();
  EXPECT_EQ(calls.back(), "interrupt:c1");
}

TEST_F(SessionManagerTest, ARequestWeDoNotHandleIsRefusedAndWarned) {
  Session s = ReadySession();
  manager_->OnServerRequest(factory_.Last(), 6, "item/tool/call",
                            {{"tool", "x"}});
  manager_->OnServerRequest(factory_.Last(), 7, "item/brandNew/request",
                            json::object());
  const std::vector<std::string> calls = factory_.Calls();
  EXPECT_NE(std::find(calls.begin(), calls.end(), "error:6:-32601"),
            calls.end());
  EXPECT_NE(std::find(calls.begin(), calls.end(), "error:7:-32601"),
            calls.end());
  std::vector<EventType> types = EventTypes(s.session_id);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kWarning), 2);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kRaw), 0);
}

// A runtime that asks and asks (broken or hostile) fills no more than
// kMaxPendingApprovals: the rest get an error, and clients one WARNING
// each time it fills, not one per request.
TEST_F(SessionManagerTest, ApprovalsWaitingAtOnceAreBounded) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  const int asked = static_cast<int>(kMaxPendingApprovals) + 5;
  for (int rpc = 1000; rpc < 1000 + asked; ++rpc) {
    manager_->OnServerRequest(factory_.Last(), rpc,
                              "item/commandExecution/requestApproval",
                              {{"turnId", "c1"}, {"command", "make"}});
  }
  std::vector<Approval> pending =
      Read()->ListApprovals("", true, {0, 1000})->items;
  EXPECT_EQ(pending.size(), kMaxPendingApprovals);
  std::vector<std::string> calls = factory_.Calls();
  for (int rpc = 1000 + static_cast<int>(kMaxPendingApprovals);
       rpc < 1000 + asked; ++rpc) {
    EXPECT_NE(std::find(calls.begin(), calls.end(),
                        absl::StrCat("error:", rpc, ":-32603")),
              calls.end())
        << rpc;
  }
  std::vector<EventType> types = EventTypes(s.session_id);
  EXPECT_EQ(std::count(types.begin(), types.end(), EventType::kWarning), 1);
  // Decided, one frees a place: the next request waits again.
  ASSERT_TRUE(manager_
                  ->ResolveApproval(pending[0].approval_id, Decision::kApprove,
                                    {}, "", kOperator)
                  .ok());
  manager_->OnServerRequest(factory_.Last(), 5000,
                            "item/commandExecution/requestApproval",
                            {{"turnId", "c1"}, {"command", "make"}});
  EXPECT_EQ(Read()->ListApprovals("", true, {0, 1000})->items.size(),
            kMaxPendingApprovals);
  calls = factory_.Calls();
  EXPECT_EQ(std::find(calls.begin(), calls.end(), "error:5000:-32603"),
            calls.end());
}

TEST_F(SessionManagerTest, RetryWithSameRequestIdReturnsTheFirstDecision) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  manager_->OnServerRequest(factory_.Last(), "req-a",
                            "item/commandExecution/requestApproval",
                            {{"turnId", "c1"}, {"command", "make"}});
  std::string id =
      Read()->ListApprovals("", true, {0, 10})->items[0].approval_id;
  auto first = manager_->ResolveApproval(id, Decision::kApprove, {}, "k1", kOperator);
  ASSERT_TRUE(first.ok());
  auto retry = manager_->ResolveApproval(id, Decision::kApprove, {}, "k1", kOperator);
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->state, ApprovalState::kApproved);
  auto other = manager_->ResolveApproval(id, Decision::kDeny, {}, "k2", kOperator);
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("APPROVED"));
  EXPECT_EQ(factory_.Responses().size(), 1u);
  EXPECT_EQ(manager_->ResolveApproval("apr_nope", Decision::kApprove, {}, "", kOperator)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

// The key answers only the call that decided (its digest); an approval
// decided before digests were kept compares the decision only.
TEST_F(SessionManagerTest, AnApprovalKeyAnswersOnlyTheCallThatDecided) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  for (const char* rpc : {"req-a", "req-b"}) {
    manager_->OnServerRequest(factory_.Last(), rpc,
                              "item/commandExecution/requestApproval",
                              {{"turnId", "c1"}, {"command", "make"}});
  }
  const std::vector<Approval> pending =
      Read()->ListApprovals("", true, {0, 10})->items;
  ASSERT_EQ(pending.size(), 2u);
  Caller first = kOperator;
  first.request_digest = "digest-of-the-first-call";
  Caller other = kOperator;
  other.request_digest = "digest-of-another-call";
  const std::string id = pending[0].approval_id;
  ASSERT_TRUE(
      manager_->ResolveApproval(id, Decision::kApprove, {}, "k1", first).ok());
  EXPECT_TRUE(
      manager_->ResolveApproval(id, Decision::kApprove, {}, "k1", first).ok());
  auto refused =
      manager_->ResolveApproval(id, Decision::kApprove, {}, "k1", other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("request_id: k1 decided approval " + id +
                        " in a different request"));

  const std::string legacy = pending[1].approval_id;
  ASSERT_TRUE(
      manager_->ResolveApproval(legacy, Decision::kDeny, {}, "k2", first).ok());
  Approval row = *store_->GetApproval(legacy);
  EXPECT_EQ(row.resolve_request_digest, "digest-of-the-first-call");
  row.resolve_request_digest = "";  // as a server before 2026-12-05 left it
  ASSERT_TRUE(store_->PutApproval(row).ok());
  EXPECT_TRUE(
      manager_->ResolveApproval(legacy, Decision::kDeny, {}, "k2", other).ok());
  EXPECT_EQ(factory_.Responses().size(), 2u);
}

TEST_F(SessionManagerTest,
       RuntimeExitMidTurnFailsTurnAndKeepsSessionResumable) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  manager_->OnServerRequest(factory_.Last(), 5,
                            "item/commandExecution/requestApproval",
                            {{"turnId", "c1"}, {"command", "ls"}});
  Turn queued = *manager_->StartTurn(s.session_id, "later", "", kOperator);
  manager_->OnExit(factory_.Last(),
                   "codex app-server exited with status 3: boom");
  Turn failed = *Read()->GetTurn(t.turn_id);
  EXPECT_EQ(failed.state, TurnState::kFailed);
  EXPECT_THAT(failed.error, HasSubstr("exited with status 3"));
  EXPECT_EQ(Read()->GetTurn(queued.turn_id)->state, TurnState::kInterrupted);
  Session stopped = *Read()->GetSession(s.session_id);
  EXPECT_EQ(stopped.state, SessionState::kStopped);
  EXPECT_EQ(stopped.pending_approvals, 0);
  auto all = *Read()->ListApprovals(s.session_id, false, {0, 10});
  EXPECT_EQ(all.items[0].state, ApprovalState::kExpired);
  // Resume continues the same Codex thread.
  ASSERT_TRUE(manager_->ResumeSession(s.session_id, kOperator).ok());
  EXPECT_EQ(factory_.Last()->config.thread_id, "thr_1");
}

TEST_F(SessionManagerTest, RuntimeThatNeverStartsFailsTheSession) {
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  Session s = *manager_->CreateSession(p, kOperator);
  manager_->OnExit(factory_.Last(), "codex binary not found: /nope");
  Session failed = *Read()->GetSession(s.session_id);
  EXPECT_EQ(failed.state, SessionState::kFailed);
  EXPECT_THAT(failed.last_error, HasSubstr("not found"));
  EXPECT_EQ(manager_->StartTurn(s.session_id, "hi", "", kOperator).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionManagerTest, InterruptRunningAndQueuedTurns) {
  Session s = ReadySession();
  Turn a = *manager_->StartTurn(s.session_id, "a", "", kOperator);
  Turn b = *manager_->StartTurn(s.session_id, "b", "", kOperator);
  // Interrupt before Codex named the turn: sent once it does.
  ASSERT_TRUE(manager_->InterruptTurn(s.session_id, "", kOperator).ok());
  manager_->OnTurnAccepted(factory_.Last(), a.turn_id, "c1");
  EXPECT_THAT(factory_.Calls(), ::testing::Contains("interrupt:c1"));
  auto dropped = manager_->InterruptTurn(s.session_id, b.turn_id, kOperator);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->state, TurnState::kInterrupted);
  CompleteTurn("c1", "interrupted");
  EXPECT_EQ(Read()->GetTurn(a.turn_id)->state, TurnState::kInterrupted);
  EXPECT_EQ(manager_->InterruptTurn(s.session_id, "", kOperator).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionManagerTest, IdleTimeoutStopsTheRuntimeAndAPromptResumes) {
  SessionManagerOptions options;
  options.idle_timeout = absl::Minutes(5);
  Build(options);
  Session s = ReadySession();
  clock_.Advance(absl::Minutes(4));
  manager_->Tick();
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
  clock_.Advance(absl::Minutes(2));
  manager_->Tick();
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kStopped);
  EXPECT_EQ(manager_->LiveCount(), 0);
  // A new prompt brings the runtime back on the same thread.
  ASSERT_TRUE(manager_->StartTurn(s.session_id, "again", "", kOperator).ok());
  EXPECT_EQ(factory_.Last()->config.thread_id, "thr_1");
  EXPECT_EQ(factory_.Count(), 2u);
}

// Codex saves a thread at its first turn: only a session with no turn may
// go on in a new thread when Codex has no saved copy of its own, and the
// session says so when it does.
TEST_F(SessionManagerTest, OnlyASessionWithoutTurnsMayResumeOnANewThread) {
  Session s = ReadySession();
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  ASSERT_TRUE(manager_->ResumeSession(s.session_id, kOperator).ok());
  EXPECT_EQ(factory_.Last()->config.thread_id, "thr_1");
  EXPECT_TRUE(factory_.Last()->config.new_thread_if_unsaved);
  manager_->OnReady(factory_.Last(), "thr_2", "0.169.0", {});
  EXPECT_EQ(Read()->GetSession(s.session_id)->thread_id, "thr_2");
  std::vector<std::string> warnings;
  for (const Event& e : Events(s.session_id)) {
    if (e.type == EventType::kWarning) {
      warnings.push_back(e.payload.value("message", ""));
    }
  }
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("Codex had not saved thread thr_1"));
  EXPECT_THAT(warnings[0], HasSubstr("a new thread, thr_2"));

  Turn t = *manager_->StartTurn(s.session_id, "hello", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  CompleteTurn("c1", "completed");
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  ASSERT_TRUE(manager_->ResumeSession(s.session_id, kOperator).ok());
  EXPECT_EQ(factory_.Last()->config.thread_id, "thr_2");
  EXPECT_FALSE(factory_.Last()->config.new_thread_if_unsaved);
}

TEST_F(SessionManagerTest, IdleTimeoutSparesASessionWhoseAgentLeftAProcessRunning) {
  SessionManagerOptions options;
  options.idle_timeout = absl::Minutes(5);
  Build(options);
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "start the dev server", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  const json command = {{"type", "commandExecution"}, {"id", "call_1"},
                        {"command", "npm run dev"}, {"status", "inProgress"}};
  manager_->OnNotification(factory_.Last(), "item/started",
                           {{"turnId", "c1"}, {"item", command}});
  CompleteTurn("c1", "completed");
  clock_.Advance(absl::Minutes(6));
  manager_->Tick();
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
  // The process ended (Codex completes its item, even after the turn).
  json ended = command;
  ended["status"] = "completed";
  manager_->OnNotification(factory_.Last(), "item/completed",
                           {{"turnId", "c1"}, {"item", ended}});
  clock_.Advance(absl::Minutes(6));
  manager_->Tick();
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kStopped);
}

TEST_F(SessionManagerTest, LiveLimitStopsTheIdlestOrRefuses) {
  SessionManagerOptions options;
  options.max_live_sessions = 1;
  Build(options);
  Session a = ReadySession();
  Session b = ReadySession();  // a was idle: stopped to make room
  EXPECT_EQ(Read()->GetSession(a.session_id)->state, SessionState::kStopped);
  ASSERT_TRUE(manager_->StartTurn(b.session_id, "busy", "", kOperator).ok());
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  auto refused = manager_->CreateSession(p, kOperator);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(SessionManagerTest, RecoverStopsWhatWasLiveBeforeARestart) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  // Simulate a crash: throw the manager away without a clean shutdown by
  // writing the live state back, then recover in a new manager.
  Session live = *store_->GetSession(s.session_id);
  manager_.reset();  // its Shutdown marks things STOPPED; undo that
  live.state = SessionState::kBusy;
  ASSERT_TRUE(store_->PutSession(live).ok());
  Turn running = *store_->GetTurn(t.turn_id);
  running.state = TurnState::kRunning;
  ASSERT_TRUE(store_->PutTurn(running).ok());
  Build(SessionManagerOptions());
  ASSERT_TRUE(manager_->Recover().ok());
  Session after = *Read()->GetSession(s.session_id);
  EXPECT_EQ(after.state, SessionState::kStopped);
  EXPECT_EQ(after.last_error, "server restarted");
  Turn recovered = *Read()->GetTurn(t.turn_id);
  EXPECT_EQ(recovered.state, TurnState::kInterrupted);
  EXPECT_EQ(recovered.error, "server restarted while the turn was running");
  // Each recovered row came with its event.
  std::vector<EventType> types = EventTypes(s.session_id);
  ASSERT_GE(types.size(), 2u);
  EXPECT_EQ(types[types.size() - 1], EventType::kTurnStateChanged);
  EXPECT_EQ(types[types.size() - 2], EventType::kSessionStateChanged);
}

TEST_F(SessionManagerTest, StopAndArchive) {
  Session s = ReadySession();
  Session stopped = *manager_->StopSession(s.session_id, /*force=*/true, kOperator);
  EXPECT_EQ(stopped.state, SessionState::kStopped);
  // The janitor stops the runtime off the caller's thread.
  for (int i = 0; i < 200 && factory_.log.stopped.load() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_THAT(factory_.Calls(), ::testing::Contains("stop:force"));
  EXPECT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());  // no-op
  EXPECT_EQ(manager_->ResumeSession(s.session_id, kOperator)->state,
            SessionState::kStarting);
  EXPECT_EQ(manager_->ResumeSession(s.session_id, kOperator).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->ArchiveSession(s.session_id, kOperator)->state,
            SessionState::kArchived);
  EXPECT_EQ(manager_->StopSession(s.session_id, false, kOperator).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// Unarchiving undoes an archive: STOPPED again, with its event and an
// audit record, and resumable; any other state is left as it is.
TEST_F(SessionManagerTest, UnarchiveMakesAnArchivedSessionResumable) {
  Session s = ReadySession();
  EXPECT_EQ(manager_->UnarchiveSession(s.session_id, kOperator)->state,
            SessionState::kIdle);  // not archived: unchanged
  ASSERT_EQ(manager_->ArchiveSession(s.session_id, kOperator)->state,
            SessionState::kArchived);
  const size_t audited =
      store_->ListAudit(AuditQuery(), PageRequest())->items.size();
  Session back = *manager_->UnarchiveSession(s.session_id, kOperator);
  EXPECT_EQ(back.state, SessionState::kStopped);
  EXPECT_EQ(store_->ListAudit(AuditQuery(), PageRequest())->items.size(),
            audited + 1);
  std::vector<Event> events = Events(s.session_id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().type, EventType::kSessionStateChanged);
  EXPECT_EQ(events.back().payload["state"],
            static_cast<int>(SessionState::kStopped));
  EXPECT_EQ(manager_->ResumeSession(s.session_id, kOperator)->state,
            SessionState::kStarting);
  EXPECT_EQ(
      manager_->UnarchiveSession("ses_missing", kOperator).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_F(SessionManagerTest, PendingApprovalsAreOfferedForRedelivery) {
  Session s = ReadySession();
  Turn t = *manager_->StartTurn(s.session_id, "x", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), t.turn_id, "c1");
  manager_->OnServerRequest(factory_.Last(), 1,
                            "item/commandExecution/requestApproval",
                            {{"turnId", "c1"}, {"command", "ls"}});
  log_->Flush();
  const int64_t head = log_->CommittedHead();
  auto events = *manager_->PendingApprovalEvents(s.session_id, head);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, EventType::kApprovalRequested);
  EXPECT_EQ(events[0].payload["approval"]["command"], "ls");
  // A cursor before the request: the replay itself brings it.
  EXPECT_TRUE(
      manager_->PendingApprovalEvents(s.session_id, events[0].event_id - 1)
          ->empty());
}

TEST_F(SessionManagerTest, AnImportedThreadComesWithItsHistoryInOneChange) {
  HistoryTurn done;
  done.codex_turn_id = "ct_1";
  done.prompt = "hello";
  done.final_message = "You said: hello";
  done.state = TurnState::kCompleted;
  done.items = {{{"type", "userMessage"}, {"id", "i1"},
                 {"content", {{{"type", "text"}, {"text", "hello"}}}}},
                {{"type", "agentMessage"}, {"id", "i2"}, {"text", "You said: hello"}}};
  HistoryTurn cut;
  cut.codex_turn_id = "ct_2";
  cut.prompt = "and?";
  cut.state = TurnState::kInterrupted;
  CreateSessionParams p;
  p.cwd = ::testing::TempDir();
  p.thread_id = "thr_imported";
  p.history = {done, cut};
  p.request_method = "ImportThread";
  p.request_id = "import-1";
  absl::StatusOr<Session> s = manager_->CreateSession(p, kOperator);
  ASSERT_TRUE(s.ok()) << s.status();
  // The runtime resumes the thread rather than starting one, and never
  // a new one in its place: the history is in it.
  EXPECT_EQ(factory_.Last()->config.thread_id, "thr_imported");
  EXPECT_FALSE(factory_.Last()->config.new_thread_if_unsaved);
  EXPECT_EQ(s->thread_id, "thr_imported");
  std::vector<Turn> turns = Read()->ListTurns(s->session_id, {0, 10})->items;
  ASSERT_EQ(turns.size(), 2u);
  EXPECT_EQ(turns[0].prompt, "hello");
  EXPECT_EQ(turns[0].state, TurnState::kCompleted);
  EXPECT_EQ(turns[0].final_message, "You said: hello");
  EXPECT_EQ(turns[0].codex_turn_id, "ct_1");
  EXPECT_EQ(turns[1].state, TurnState::kInterrupted);
  EXPECT_EQ(EventTypes(s->session_id),
            (std::vector<EventType>{
                EventType::kSessionStateChanged, EventType::kTurnStateChanged,
                EventType::kItemCompleted, EventType::kItemCompleted,
                EventType::kTurnStateChanged, EventType::kTurnStateChanged,
                EventType::kTurnStateChanged}));
  // Items belong to their turn.
  EventQuery q;
  q.session_id = s->session_id;
  q.limit = 10;
  const std::vector<Event> events = *store_->ReadEvents(q);
  for (const Event& e : events) {
    if (e.type == EventType::kItemCompleted) {
      EXPECT_EQ(e.turn_id, turns[0].turn_id);
    }
  }
  // Idempotent under its own method's key; one session per thread.
  EXPECT_EQ(manager_->CreateSession(p, kOperator)->session_id, s->session_id);
  p.request_id = "";
  absl::StatusOr<Session> again = manager_->CreateSession(p, kOperator);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(again.status().message()), HasSubstr(s->session_id));
  // The thread's turns are done: a new prompt runs at once once ready.
  manager_->OnReady(factory_.Last(), "thr_imported", "0.169.0", {});
  ASSERT_TRUE(manager_->StartTurn(s->session_id, "next", "", kOperator).ok());
  EXPECT_THAT(factory_.Calls(), Contains(HasSubstr(":next")));
}

TEST_F(SessionManagerTest, UnhandledServerRequestsGetAnError) {
  Session s = ReadySession();
  manager_->OnServerRequest(factory_.Last(), 9, "item/tool/call", {});
  EXPECT_THAT(factory_.Calls(), ::testing::Contains("error:9:-32601"));
  EXPECT_TRUE(Read()->ListApprovals("", true, {0, 10})->items.empty());
}

}  // namespace
// Codex starts turns by itself to go on toward a thread goal (the agent's
// create_goal tool): each becomes a turn of ours, RUNNING with
// started_by_codex, and the session BUSY; its items belong to it; a prompt
// sent meanwhile waits; an interrupt reaches Codex.
TEST_F(SessionManagerTest, TurnsCodexStartsByItselfBecomeTurns) {
  Session s = ReadySession();
  auto codex_started = [&](const std::string& codex_turn_id) {
    manager_->OnNotification(factory_.Last(), "turn/started",
                             {{"threadId", "thr_1"},
                              {"turn", {{"id", codex_turn_id},
                                        {"status", "inProgress"}}}});
  };
  codex_started("goal_1");
  Page<Turn> turns = *Read()->ListTurns(s.session_id, PageRequest());
  ASSERT_EQ(turns.items.size(), 1u);
  const Turn adopted = turns.items[0];
  EXPECT_TRUE(adopted.started_by_codex);
  EXPECT_EQ(adopted.state, TurnState::kRunning);
  EXPECT_EQ(adopted.codex_turn_id, "goal_1");
  EXPECT_EQ(adopted.prompt, "");
  EXPECT_TRUE(adopted.start_time.has_value());
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kBusy);
  const Event running = Events(s.session_id).back();
  EXPECT_EQ(running.type, EventType::kSessionStateChanged);
  const Event started = Events(s.session_id)[Events(s.session_id).size() - 2];
  EXPECT_EQ(started.type, EventType::kTurnStateChanged);
  EXPECT_EQ(started.turn_id, adopted.turn_id);
  EXPECT_EQ(started.payload["started_by_codex"], true);

  manager_->OnNotification(
      factory_.Last(), "item/completed",
      {{"turnId", "goal_1"},
       {"item", {{"type", "agentMessage"}, {"id", "m"}, {"text", "Done."}}}});
  EXPECT_EQ(Events(s.session_id).back().turn_id, adopted.turn_id);
  // What it asks for is its own.
  manager_->OnServerRequest(
      factory_.Last(), 7, "item/commandExecution/requestApproval",
      {{"turnId", "goal_1"}, {"itemId", "i1"}, {"command", "ls"}});
  Page<Approval> asked =
      *Read()->ListApprovals(s.session_id, /*pending_only=*/true, PageRequest());
  ASSERT_EQ(asked.items.size(), 1u);
  EXPECT_EQ(asked.items[0].turn_id, adopted.turn_id);
  // A prompt now waits behind it; an interrupt is Codex's turn/interrupt.
  Turn queued = *manager_->StartTurn(s.session_id, "next", "", kOperator);
  EXPECT_EQ(queued.state, TurnState::kQueued);
  ASSERT_TRUE(manager_->InterruptTurn(s.session_id, adopted.turn_id, kOperator)
                  .ok());
  EXPECT_THAT(factory_.Calls(), ::testing::Contains("interrupt:goal_1"));
  CompleteTurn("goal_1", "interrupted");
  Turn ended = *Read()->GetTurn(adopted.turn_id);
  EXPECT_EQ(ended.state, TurnState::kInterrupted);
  EXPECT_TRUE(ended.started_by_codex);
  EXPECT_EQ(ended.final_message, "Done.");
  // The queued prompt went out; Codex naming its turn first is not a
  // second adoption, nor is a sub-turn while it runs.
  EXPECT_THAT(factory_.Calls(),
              ::testing::Contains("turn:" + queued.turn_id + ":next"));
  codex_started("goal_2");
  manager_->OnTurnAccepted(factory_.Last(), queued.turn_id, "goal_2");
  codex_started("review_sub_turn");
  EXPECT_EQ(Read()->ListTurns(s.session_id, PageRequest())->items.size(), 2u);
  CompleteTurn("goal_2", "completed");
  EXPECT_EQ(Read()->GetTurn(queued.turn_id)->state, TurnState::kCompleted);
  EXPECT_FALSE(Read()->GetTurn(queued.turn_id)->started_by_codex);
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
}

// A sub-agent (Codex's spawn_agent) works in a thread of its own: its
// items and approval requests are the running turn's, marked as its; its
// turns, settings, status and usage change nothing of the session.
TEST_F(SessionManagerTest, ASubAgentsNotificationsAreMarkedAndItsOwn) {
  Session s = ReadySession();
  Turn turn = *manager_->StartTurn(s.session_id, "spawn a helper", "", kOperator);
  manager_->OnTurnAccepted(factory_.Last(), turn.turn_id, "c1");
  const Session before = *Read()->GetSession(s.session_id);
  const size_t turns_before =
      Read()->ListTurns(s.session_id, PageRequest())->items.size();
  // The session's agent says it started one: its path, by thread.
  manager_->OnNotification(
      factory_.Last(), "item/completed",
      json::parse(R"({"threadId": "thr_1", "turnId": "c1", "item": {
        "type": "subAgentActivity", "id": "a1", "kind": "started",
        "agentPath": "/root/helper", "agentThreadId": "thr_sub"}})"));
  const auto sub = [&](const std::string& method, json params) {
    params["threadId"] = "thr_sub";
    manager_->OnNotification(factory_.Last(), method, params);
    return Events(s.session_id).back();
  };
  const Event started = sub("turn/started", {{"turn", {{"id", "sub_1"}}}});
  EXPECT_EQ(started.type, EventType::kRaw);
  EXPECT_EQ(started.payload["method"], "turn/started");
  EXPECT_EQ(started.payload["sub_agent"],
            json({{"thread_id", "thr_sub"}, {"path", "/root/helper"}}));
  sub("thread/settings/updated",
      {{"threadSettings", {{"model", "other"}, {"approvalsReviewer", "auto_review"}}}});
  EXPECT_EQ(sub("thread/status/changed", {{"status", {{"type", "idle"}}}}).type,
            EventType::kRaw);
  EXPECT_EQ(sub("thread/tokenUsage/updated", {{"tokenUsage", json::object()}}).type,
            EventType::kRaw);
  const Event said = sub(
      "item/completed",
      {{"turnId", "sub_1"},
       {"item", {{"type", "agentMessage"}, {"id", "m1"}, {"text", "Mine."}}}});
  EXPECT_EQ(said.type, EventType::kItemCompleted);
  EXPECT_EQ(said.turn_id, turn.turn_id);  // the turn it works for
  EXPECT_EQ(said.payload["sub_agent"]["path"], "/root/helper");
  manager_->OnServerRequest(
      factory_.Last(), 9, "item/commandExecution/requestApproval",
      {{"threadId", "thr_sub"}, {"turnId", "sub_1"}, {"itemId", "i1"},
       {"command", "ls"}});
  const Event asked = Events(s.session_id).back();
  EXPECT_EQ(asked.type, EventType::kApprovalRequested);
  EXPECT_EQ(asked.turn_id, turn.turn_id);
  EXPECT_EQ(asked.payload["sub_agent"]["thread_id"], "thr_sub");
  // Interrupting the turn interrupts what its sub-agents run.
  ASSERT_TRUE(manager_->InterruptTurn(s.session_id, turn.turn_id, kOperator).ok());
  EXPECT_THAT(factory_.Calls(),
              ::testing::Contains(HasSubstr(
                  R"(call:turn/interrupt {"threadId":"thr_sub","turnId":"sub_1"})")));
  sub("turn/completed", {{"turn", {{"id", "sub_1"}, {"status", "completed"}}}});

  // Nothing of the session or its turn changed: no adopted turn, the
  // settings and state as they were, the turn still running.
  const Session after = *Read()->GetSession(s.session_id);
  EXPECT_EQ(after.state, SessionState::kBusy);
  EXPECT_EQ(after.codex_settings, before.codex_settings);
  EXPECT_EQ(after.thread_id, "thr_1");
  EXPECT_EQ(Read()->ListTurns(s.session_id, PageRequest())->items.size(),
            turns_before);
  EXPECT_EQ(Read()->GetTurn(turn.turn_id)->state, TurnState::kRunning);
  // The turn's answer is the session's agent's (it was being interrupted:
  // Codex says how it ended).
  manager_->OnNotification(
      factory_.Last(), "item/completed",
      {{"threadId", "thr_1"}, {"turnId", "c1"},
       {"item", {{"type", "agentMessage"}, {"id", "m2"}, {"text", "Ours."}}}});
  sub("item/completed",
      {{"turnId", "sub_2"},
       {"item", {{"type", "agentMessage"}, {"id", "m3"}, {"text", "Late."}}}});
  CompleteTurn("c1", "completed");
  EXPECT_EQ(Read()->GetTurn(turn.turn_id)->final_message, "Ours.");
}

// CompactSession: Codex compacts in a turn of its own, which is the
// compaction's, not one Codex started to go on by itself.
TEST_F(SessionManagerTest, TheTurnCodexCompactsInIsNotAdopted) {
  Session s = ReadySession();
  absl::StatusOr<Session> compacted;
  manager_->CompactSession(s.session_id, kOperator,
                           [&](absl::StatusOr<Session> r) { compacted = r; });
  ASSERT_TRUE(compacted.ok()) << compacted.status();
  auto codex_started = [&](const std::string& codex_turn_id) {
    manager_->OnNotification(factory_.Last(), "turn/started",
                             {{"turn", {{"id", codex_turn_id}}}});
  };
  codex_started("compaction");
  EXPECT_TRUE(Read()->ListTurns(s.session_id, PageRequest())->items.empty());
  EXPECT_EQ(Read()->GetSession(s.session_id)->state, SessionState::kIdle);
  CompleteTurn("compaction", "completed");
  // The next one Codex starts by itself is adopted.
  codex_started("goal_1");
  Page<Turn> turns = *Read()->ListTurns(s.session_id, PageRequest());
  ASSERT_EQ(turns.items.size(), 1u);
  EXPECT_TRUE(turns.items[0].started_by_codex);
}

// A compaction Codex refused has no turn: the next turn Codex starts by
// itself is adopted.
TEST_F(SessionManagerTest, ARefusedCompactionLeavesNoTurnToSkip) {
  Session s = ReadySession();
  factory_.log.thread_errors["thread/compact/start"] =
      absl::FailedPreconditionError("thread is busy");
  absl::StatusOr<Session> compacted;
  manager_->CompactSession(s.session_id, kOperator,
                           [&](absl::StatusOr<Session> r) { compacted = r; });
  EXPECT_THAT(compacted.status().message(), HasSubstr("thread is busy"));
  manager_->OnNotification(factory_.Last(), "turn/started",
                           {{"turn", {{"id", "goal_1"}}}});
  Page<Turn> turns = *Read()->ListTurns(s.session_id, PageRequest());
  ASSERT_EQ(turns.items.size(), 1u);
  EXPECT_TRUE(turns.items[0].started_by_codex);
}

// Goals (session_goal.cc): a person sets one through Codex, Codex reports
// each change; the session's row carries it, each change once as
// GOAL_UPDATED, in one commit with the call's audit record.
json CodexGoal(const std::string& objective, const std::string& status,
               int64_t tokens_used = 0) {
  return {{"threadId", "thr_1"},    {"objective", objective},
          {"status", status},       {"tokenBudget", 5000},
          {"tokensUsed", tokens_used}, {"timeUsedSeconds", 3},
          {"createdAt", 1796346749}, {"updatedAt", 1796346750}};
}

TEST_F(SessionManagerTest, SetSessionGoalKeepsWhatCodexAnswered) {
  Session s = ReadySession();
  const size_t before = Events(s.session_id).size();
  const size_t audited = store_->ListAudit(AuditQuery(), PageRequest())->items.size();
  factory_.log.thread_answers["thread/goal/set"] = {
      {"goal", CodexGoal("make the tests pass", "active")}};
  GoalChange change;
  change.objective = "make the tests pass";
  change.token_budget = 5000;
  absl::StatusOr<Session> set;
  manager_->SetSessionGoal(s.session_id, change, kOperator,
                           [&](absl::StatusOr<Session> r) { set = r; });
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_TRUE(set->goal.has_value());
  EXPECT_EQ(set->goal->objective, "make the tests pass");
  EXPECT_EQ(set->goal->status, GoalStatus::kActive);
  EXPECT_EQ(set->goal->token_budget, 5000);
  EXPECT_EQ(set->goal->time_used_seconds, 3);
  EXPECT_EQ(set->goal->create_time, absl::FromUnixSeconds(1796346749));
  // Sent as a person's change; a new objective's goal is to be worked on.
  EXPECT_THAT(factory_.Calls(),
              Contains("call:thread/goal/set {\"objective\":\"make the tests "
                       "pass\",\"origin\":\"user\",\"status\":\"active\","
                       "\"tokenBudget\":5000}"));
  std::vector<Event> events = Events(s.session_id);
  ASSERT_EQ(events.size(), before + 1);
  EXPECT_EQ(events.back().type, EventType::kGoalUpdated);
  EXPECT_EQ(GoalFromJson(events.back().payload["goal"]), set->goal);
  EXPECT_EQ(set->last_seq, events.back().session_seq);
  EXPECT_EQ(store_->ListAudit(AuditQuery(), PageRequest())->items.size(),
            audited + 1);

  // Codex then says the same (thread/goal/updated): no second event.
  manager_->OnNotification(factory_.Last(), "thread/goal/updated",
                           {{"goal", CodexGoal("make the tests pass", "active")}});
  EXPECT_EQ(Events(s.session_id).size(), before + 1);

  // Its usage as a turn of Codex's own goes on: an event in that turn.
  manager_->OnNotification(factory_.Last(), "turn/started",
                           {{"turn", {{"id", "goal_turn"}}}});
  const std::string turn_id =
      Read()->ListTurns(s.session_id, PageRequest())->items.at(0).turn_id;
  manager_->OnNotification(
      factory_.Last(), "thread/goal/updated",
      {{"turnId", "goal_turn"},
       {"goal", CodexGoal("make the tests pass", "complete", 120)}});
  events = Events(s.session_id);
  EXPECT_EQ(events.back().type, EventType::kGoalUpdated);
  EXPECT_EQ(events.back().turn_id, turn_id);
  std::optional<SessionGoal> goal = Read()->GetSession(s.session_id)->goal;
  ASSERT_TRUE(goal.has_value());
  EXPECT_EQ(goal->status, GoalStatus::kComplete);
  EXPECT_EQ(goal->tokens_used, 120);
  CompleteTurn("goal_turn", "completed");
  // The turn's end writes the session's row: the goal stays.
  EXPECT_EQ(Read()->GetSession(s.session_id)->goal, goal);

  // Cleared by Codex: no goal, and an event without one.
  manager_->OnNotification(factory_.Last(), "thread/goal/cleared",
                           {{"threadId", "thr_1"}});
  EXPECT_FALSE(Read()->GetSession(s.session_id)->goal.has_value());
  events = Events(s.session_id);
  EXPECT_EQ(events.back().type, EventType::kGoalUpdated);
  EXPECT_FALSE(events.back().payload.contains("goal"));
}

TEST_F(SessionManagerTest, SetSessionGoalChecksItsRequest) {
  Session s = ReadySession();
  auto set = [&](const GoalChange& change, const std::string& id) {
    absl::Status out = absl::UnknownError("not called");
    manager_->SetSessionGoal(id, change, kOperator,
                             [&](absl::StatusOr<Session> r) { out = r.status(); });
    return out;
  };
  GoalChange nothing;
  EXPECT_THAT(set(nothing, s.session_id).message(), HasSubstr("objective: required"));
  GoalChange blank;
  blank.objective = "  \n";
  EXPECT_EQ(set(blank, s.session_id).code(), absl::StatusCode::kInvalidArgument);
  GoalChange huge;
  huge.objective = std::string(kMaxGoalObjectiveBytes + 1, 'x');
  EXPECT_THAT(set(huge, s.session_id).message(), HasSubstr("objective: at most"));
  GoalChange limited;
  limited.status = GoalStatus::kBudgetLimited;
  EXPECT_THAT(set(limited, s.session_id).message(),
              HasSubstr("status: budgetLimited is set by Codex"));
  GoalChange unknown;
  unknown.status = static_cast<GoalStatus>(42);
  EXPECT_THAT(set(unknown, s.session_id).message(), HasSubstr("status: unknown"));
  GoalChange budget;
  budget.token_budget = 0;
  EXPECT_THAT(set(budget, s.session_id).message(), HasSubstr("token_budget: at least 1"));
  GoalChange pause;
  pause.status = GoalStatus::kPaused;
  EXPECT_EQ(set(pause, "ses_nope").code(), absl::StatusCode::kNotFound);
  // Codex refuses a status for a thread without a goal: its message.
  factory_.log.thread_errors["thread/goal/set"] =
      absl::FailedPreconditionError("no goal exists");
  EXPECT_THAT(set(pause, s.session_id).message(), HasSubstr("no goal exists"));
  // Nothing of it reached Codex but that one call.
  const std::vector<std::string> calls = factory_.Calls();
  EXPECT_EQ(std::count_if(calls.begin(), calls.end(),
                          [](const std::string& c) {
                            return c.starts_with("call:thread/goal/set");
                          }),
            1);
  ASSERT_TRUE(manager_->StopSession(s.session_id, false, kOperator).ok());
  EXPECT_EQ(set(pause, s.session_id).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SessionManagerTest, ClearSessionGoalAndAResumedThreadsGoal) {
  // A thread resumed with a goal: Codex says so only when asked.
  factory_.log.thread_answers["thread/goal/get"] = {
      {"goal", CodexGoal("ship it", "paused")}};
  Session s = ReadySession();
  ASSERT_TRUE(s.goal.has_value());
  EXPECT_EQ(s.goal->status, GoalStatus::kPaused);
  EXPECT_THAT(EventTypes(s.session_id), Contains(EventType::kGoalUpdated));

  factory_.log.thread_answers["thread/goal/clear"] = {{"cleared", true}};
  absl::StatusOr<Session> cleared;
  manager_->ClearSessionGoal(s.session_id, kOperator,
                             [&](absl::StatusOr<Session> r) { cleared = r; });
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_FALSE(cleared->goal.has_value());
  EXPECT_THAT(factory_.Calls(),
              Contains("call:thread/goal/clear {\"origin\":\"user\"}"));
  const size_t after = Events(s.session_id).size();
  // Codex's own word of it, and a second clear, change nothing more.
  manager_->OnNotification(factory_.Last(), "thread/goal/cleared", json::object());
  factory_.log.thread_answers["thread/goal/clear"] = {{"cleared", false}};
  manager_->ClearSessionGoal(s.session_id, kOperator,
                             [&](absl::StatusOr<Session> r) { cleared = r; });
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(Events(s.session_id).size(), after);
}

}  // namespace codex_manager
