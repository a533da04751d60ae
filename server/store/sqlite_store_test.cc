#include "store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace codex_manager {
namespace {

using ::testing::HasSubstr;

Session MakeSession(const std::string& id,
                    SessionState state = SessionState::kIdle) {
  Session s;
  s.session_id = id;
  s.cwd = "/tmp";
  s.state = state;
  s.create_time = absl::Now();
  s.update_time = s.create_time;
  return s;
}

Turn MakeTurn(const std::string& id, const std::string& session,
              TurnState state) {
  Turn t;
  t.turn_id = id;
  t.session_id = session;
  t.state = state;
  t.create_time = absl::FromUnixSeconds(1700000000);
  return t;
}

Event MakeEvent(int64_t id, const std::string& session, int64_t seq) {
  Event e;
  e.event_id = id;
  e.session_id = session;
  e.session_seq = seq;
  e.type = EventType::kAgentMessageDelta;
  e.create_time = absl::Now();
  e.payload = {{"text", "d" + std::to_string(id)}};
  return e;
}

// A path for a database file of its own under the test's temporary
// directory, with nothing there yet.
std::string FreshDbPath(const std::string& name) {
  const std::string path = ::testing::TempDir() + "/" + name + "-" +
                           std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

// Runs `sql` on the database file at `path` with a connection of its own
// (as an older server or the sqlite3 shell would) and returns the first
// column of every row; a failing statement fails the test.
std::vector<std::string> SqlOn(const std::string& path,
                               const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  char* error = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK) << path;
  EXPECT_EQ(sqlite3_exec(
                db, sql.c_str(),
                [](void* out, int, char** values, char**) {
                  static_cast<std::vector<std::string>*>(out)->push_back(
                      values[0] != nullptr ? values[0] : "NULL");
                  return 0;
                },
                &rows, &error),
            SQLITE_OK)
      << sql << ": " << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return rows;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(":memory:");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, SessionRoundTripAndNotFoundNamesTheId) {
  Session s = MakeSession("ses_a");
  s.title = "hello";
  s.thread_id = "thr";
  ASSERT_TRUE(store_->PutSession(s).ok());
  absl::StatusOr<Session> got = store_->GetSession("ses_a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->title, "hello");
  EXPECT_EQ(got->thread_id, "thr");
  EXPECT_EQ(got->state, SessionState::kIdle);

  // Update in place.
  s.state = SessionState::kStopped;
  s.last_error = "boom";
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->state, SessionState::kStopped);
  EXPECT_EQ(store_->GetSession("ses_a")->last_error, "boom");

  absl::StatusOr<Session> missing = store_->GetSession("ses_nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("ses_nope"));
}

TEST_F(SqliteStoreTest, ASessionsGoalIsKeptUntilCleared) {
  Session s = MakeSession("ses_a");
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_FALSE(store_->GetSession("ses_a")->goal.has_value());
  SessionGoal goal;
  goal.objective = "make the tests pass \xe2\x9c\x93";
  goal.status = GoalStatus::kPaused;
  goal.token_budget = 5000;
  goal.tokens_used = 12;
  goal.time_used_seconds = 3;
  goal.create_time = absl::FromUnixSeconds(1796346749);
  goal.update_time = absl::FromUnixSeconds(1796346750);
  s.goal = goal;
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->goal, goal);
  goal.token_budget.reset();  // no budget reads back as none, not 0
  s.goal = goal;
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->goal, goal);
  s.goal.reset();
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_FALSE(store_->GetSession("ses_a")->goal.has_value());
}

TEST_F(SqliteStoreTest, CodexSettingsRoundTrip) {
  Session s = MakeSession("ses_a");
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->codex_settings, CodexSettings());
  s.codex_settings = {"gpt-5.5",   "openai", "",     "on-request",
                      "read-only", "user",   "plan", "priority"};
  ASSERT_TRUE(store_->PutSession(s).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->codex_settings, s.codex_settings);
}

TEST_F(SqliteStoreTest, ARevertTimeIsKeptByLaterWritesOfTheTurn) {
  Turn t = MakeTurn("turn_1", "ses_a", TurnState::kCompleted);
  ASSERT_TRUE(store_->PutTurn(t).ok());
  EXPECT_FALSE(store_->GetTurn("turn_1")->revert_time.has_value());
  t.revert_time = absl::FromUnixSeconds(1700000100);
  ASSERT_TRUE(store_->PutTurn(t).ok());
  EXPECT_EQ(store_->GetTurn("turn_1")->revert_time, t.revert_time);
  // A copy of the turn from before the revert never clears it.
  t.revert_time.reset();
  t.final_message = "later";
  ASSERT_TRUE(store_->PutTurn(t).ok());
  absl::StatusOr<Turn> got = store_->GetTurn("turn_1");
  EXPECT_EQ(got->revert_time, absl::FromUnixSeconds(1700000100));
  EXPECT_EQ(got->final_message, "later");
}

TEST_F(SqliteStoreTest, ATurnCodexStartedIsStoredAsSuch) {
  Turn t = MakeTurn("turn_1", "ses_a", TurnState::kRunning);
  ASSERT_TRUE(store_->PutTurn(t).ok());
  EXPECT_FALSE(store_->GetTurn("turn_1")->started_by_codex);
  t.turn_id = "turn_2";
  t.started_by_codex = true;
  ASSERT_TRUE(store_->PutTurn(t).ok());
  EXPECT_TRUE(store_->GetTurn("turn_2")->started_by_codex);
}

TEST_F(SqliteStoreTest, ListSessionsPagesNewestFirstAndHidesArchived) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->PutSession(MakeSession("ses_" + std::to_string(i))).ok());
  }
  ASSERT_TRUE(
      store_->PutSession(MakeSession("ses_arch", SessionState::kArchived))
          .ok());
  std::vector<std::string> seen;
  PageRequest page{0, 2};
  int pages = 0;
  for (;;) {
    auto result = store_->ListSessions(SessionQuery(), page);
    ASSERT_TRUE(result.ok());
    ++pages;
    for (const Session& s : result->items) seen.push_back(s.session_id);
    if (result->next == 0) break;
    page.after = result->next;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"ses_4", "ses_3", "ses_2", "ses_1",
                                            "ses_0"}));
  SessionQuery archived_too;
  archived_too.include_archived = true;
  auto all = store_->ListSessions(archived_too, {0, 100});
  EXPECT_EQ(all->items.size(), 6u);
}

TEST_F(SqliteStoreTest, ListSessionsFiltersByStateSearchAndFolder) {
  const struct {
    const char* id;
    const char* cwd;
    const char* title;
    SessionState state;
  } rows[] = {
      {"ses_app", "/srv/app", "Fix the LOGIN page", SessionState::kIdle},
      {"ses_web", "/srv/app/web", "", SessionState::kBusy},
      {"ses_other", "/srv/application", "login again", SessionState::kStopped},
      {"ses_docs", "/home/ann/Docs", "release notes", SessionState::kArchived},
      {"ses_pct", "/srv/x", "100% done_", SessionState::kFailed},
  };
  for (const auto& row : rows) {
    Session s = MakeSession(row.id, row.state);
    s.cwd = row.cwd;
    s.title = row.title;
    ASSERT_TRUE(store_->PutSession(s).ok());
  }
  auto ids = [&](const SessionQuery& query) {
    std::vector<std::string> out;
    PageRequest page{0, 1};  // a page at a time: filters hold across pages
    for (;;) {
      auto result = store_->ListSessions(query, page);
      EXPECT_TRUE(result.ok()) << result.status();
      if (!result.ok()) return out;
      for (const Session& s : result->items) out.push_back(s.session_id);
      if (result->next == 0) return out;
      page.after = result->next;
    }
  };
  using Ids = std::vector<std::string>;
  SessionQuery q;
  q.search = "login";  // title, any case
  EXPECT_EQ(ids(q), (Ids{"ses_other", "ses_app"}));
  q.search = "DOCS";  // cwd; archived left out unless asked for
  EXPECT_EQ(ids(q), Ids{});
  q.include_archived = true;
  EXPECT_EQ(ids(q), Ids{"ses_docs"});
  q = SessionQuery();
  q.search = "% done_";  // no LIKE wildcards: the text as is
  EXPECT_EQ(ids(q), Ids{"ses_pct"});
  q.search = "_";
  EXPECT_EQ(ids(q), Ids{"ses_pct"});
  q = SessionQuery();
  q.cwd = "/srv/app";  // the folder and below, not a longer name
  EXPECT_EQ(ids(q), (Ids{"ses_web", "ses_app"}));
  q.states = {SessionState::kBusy, SessionState::kStopped};
  EXPECT_EQ(ids(q), Ids{"ses_web"});
  q.cwd.clear();
  EXPECT_EQ(ids(q), (Ids{"ses_other", "ses_web"}));
  q.states = {SessionState::kArchived};  // named: listed without the flag
  EXPECT_EQ(ids(q), Ids{"ses_docs"});

  // A prompt holds it: its session is found, once however many do.
  for (const char* prompt : {"Migrate the Postgres schema", "postgres again"}) {
    Turn t = MakeTurn(absl::StrCat("turn_", prompt), "ses_web",
                      TurnState::kCompleted);
    t.prompt = prompt;
    ASSERT_TRUE(store_->PutTurn(t).ok());
  }
  q = SessionQuery();
  q.search = "POSTGRES";
  EXPECT_EQ(ids(q), Ids{"ses_web"});
  q.search = "page";  // the title of one, no prompt: as before
  EXPECT_EQ(ids(q), Ids{"ses_app"});
  q.search = "the";  // a title and a prompt
  EXPECT_EQ(ids(q), (Ids{"ses_web", "ses_app"}));
  // A prompt's text as is: no LIKE wildcard or escape in what is searched.
  Turn odd = MakeTurn("turn_odd", "ses_other", TurnState::kCompleted);
  odd.prompt = R"(copy C:\temp, 5% less_)";
  ASSERT_TRUE(store_->PutTurn(odd).ok());
  for (const char* text : {"5% LESS_", R"(c:\t)", R"(\)"}) {
    q.search = text;
    EXPECT_EQ(ids(q), Ids{"ses_other"}) << text;
  }
  q.search = "%";  // this prompt, and the title "100% done_"
  EXPECT_EQ(ids(q), (Ids{"ses_pct", "ses_other"}));
  q.search = "5%_less";
  EXPECT_EQ(ids(q), Ids{}) << q.search;
}

TEST_F(SqliteStoreTest, DerivedSessionFieldsCountPendingApprovalsAndLastSeq) {
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_a")).ok());
  Approval a;
  a.approval_id = "apr_1";
  a.session_id = "ses_a";
  a.create_time = absl::Now();
  ASSERT_TRUE(store_->PutApproval(a).ok());
  std::vector<Event> events = {MakeEvent(1, "ses_a", 1),
                               MakeEvent(2, "ses_a", 2)};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  Session s = *store_->GetSession("ses_a");
  EXPECT_EQ(s.pending_approvals, 1);
  EXPECT_EQ(s.last_seq, 2);
}

TEST_F(SqliteStoreTest, PreviewIsTheStartOfTheFirstPromptNotEmpty) {
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_a")).ok());
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_b")).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->preview, "");
  // A turn Codex started by itself has no prompt; the first one given
  // after it is the preview, line breaks kept; later prompts change
  // nothing.
  Turn by_codex = MakeTurn("turn_1", "ses_a", TurnState::kCompleted);
  ASSERT_TRUE(store_->PutTurn(by_codex).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->preview, "");
  Turn first = MakeTurn("turn_2", "ses_a", TurnState::kCompleted);
  first.prompt = "fix the build\nthen run the tests";
  ASSERT_TRUE(store_->PutTurn(first).ok());
  Turn second = MakeTurn("turn_3", "ses_a", TurnState::kQueued);
  second.prompt = "now deploy";
  ASSERT_TRUE(store_->PutTurn(second).ok());
  EXPECT_EQ(store_->GetSession("ses_a")->preview,
            "fix the build\nthen run the tests");
  // 200 characters, not bytes: a long prompt of two-byte characters is
  // cut after its 200th, never inside one.
  Turn long_turn = MakeTurn("turn_4", "ses_b", TurnState::kRunning);
  for (int i = 0; i < 300; ++i) long_turn.prompt += "\xc3\xa9";  // é
  ASSERT_TRUE(store_->PutTurn(long_turn).ok());
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "\xc3\xa9";
  EXPECT_EQ(store_->GetSession("ses_b")->preview, two_hundred);
  // Of four-byte characters too (200 of them are the 800 bytes of the
  // prompt the store reads).
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_c")).ok());
  Turn wide = MakeTurn("turn_5", "ses_c", TurnState::kRunning);
  for (int i = 0; i < 300; ++i) wide.prompt += "\xf0\x9f\x98\x80";
  ASSERT_TRUE(store_->PutTurn(wide).ok());
  EXPECT_EQ(store_->GetSession("ses_c")->preview,
            wide.prompt.substr(0, 800));
  // A session written again (its state, an update) keeps it.
  ASSERT_TRUE(
      store_->PutSession(MakeSession("ses_c", SessionState::kBusy)).ok());
  EXPECT_EQ(store_->GetSession("ses_c")->preview.size(), 800u);
  // Lists carry it too.
  absl::StatusOr<Page<Session>> page =
      store_->ListSessions(SessionQuery(), {0, 100});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[1].preview, two_hundred);
  EXPECT_EQ(page->items[2].preview, "fix the build\nthen run the tests");
}

TEST_F(SqliteStoreTest, SessionPurgedSeqIsWhereRetentionCutTheSession) {
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_a")).ok());
  std::vector<Event> events = {MakeEvent(1, "ses_a", 1),
                               MakeEvent(2, "ses_a", 2)};
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  EXPECT_EQ(*store_->SessionPurgedSeq("ses_a"), 0);

  Session archived = MakeSession("ses_a", SessionState::kArchived);
  archived.update_time = absl::Now() - absl::Hours(1);
  ASSERT_TRUE(store_->PutSession(archived).ok());
  ASSERT_EQ(*store_->PurgeArchivedEvents(absl::Now()), 2);
  EXPECT_EQ(*store_->SessionPurgedSeq("ses_a"), 2);
  EXPECT_EQ(store_->GetSession("ses_a")->purged_seq, 2);

  absl::StatusOr<int64_t> missing = store_->SessionPurgedSeq("ses_nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("ses_nope"));
}

TEST_F(SqliteStoreTest, RetentionClearsTheConversationFromTurnsAndApprovals) {
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_a")).ok());
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_kept")).ok());
  for (const char* session : {"ses_a", "ses_kept"}) {
    Turn t = MakeTurn(std::string("turn_") + session, session,
                      TurnState::kCompleted);
    t.prompt = "the secret plan";
    t.final_message = "the secret reply";
    ASSERT_TRUE(store_->PutTurn(t).ok());
    Approval a;
    a.approval_id = std::string("apr_") + session;
    a.session_id = session;
    a.state = ApprovalState::kApproved;
    a.command = "cat secret";
    a.cwd = "/srv/project";
    a.reason = "to read it";
    a.diff = "+secret";
    a.params_json = R"({"command":"cat secret"})";
    a.create_time = absl::Now();
    ASSERT_TRUE(store_->PutApproval(a).ok());
  }
  ASSERT_TRUE(store_
                  ->AppendEvents(
                      {MakeEvent(1, "ses_a", 1), MakeEvent(2, "ses_kept", 1)})
                  .ok());
  Session archived = MakeSession("ses_a", SessionState::kArchived);
  archived.update_time = absl::Now() - absl::Hours(1);
  ASSERT_TRUE(store_->PutSession(archived).ok());
  ASSERT_EQ(*store_->PurgeArchivedEvents(absl::Now()), 1);

  absl::StatusOr<Turn> got = store_->GetTurn("turn_ses_a");
  ASSERT_TRUE(got.ok()) << got.status();
  const Turn turn = *got;
  EXPECT_EQ(turn.prompt, "");
  EXPECT_EQ(turn.final_message, "");
  EXPECT_EQ(turn.state, TurnState::kCompleted);
  absl::StatusOr<Approval> got_approval = store_->GetApproval("apr_ses_a");
  ASSERT_TRUE(got_approval.ok()) << got_approval.status();
  const Approval approval = *got_approval;
  EXPECT_EQ(approval.command, "");
  EXPECT_EQ(approval.reason, "");
  EXPECT_EQ(approval.diff, "");
  EXPECT_EQ(approval.params_json, "{}");
  EXPECT_EQ(approval.cwd, "/srv/project");
  EXPECT_EQ(approval.state, ApprovalState::kApproved);
  EXPECT_EQ(store_->GetSession("ses_a")->preview, "");
  EXPECT_EQ(store_->GetSession("ses_kept")->preview, "the secret plan");
  // A search finds it no more by its prompt.
  SessionQuery q;
  q.search = "secret plan";
  q.include_archived = true;
  std::vector<std::string> found;
  absl::StatusOr<Page<Session>> page = store_->ListSessions(q, {0, 100});
  ASSERT_TRUE(page.ok()) << page.status();
  for (const Session& s : page->items) {
    found.push_back(s.session_id);
  }
  EXPECT_THAT(found, ::testing::ElementsAre("ses_kept"));
  // Other sessions keep theirs.
  EXPECT_EQ(store_->GetTurn("turn_ses_kept")->prompt, "the secret plan");
  EXPECT_EQ(store_->GetApproval("apr_ses_kept")->command, "cat secret");
}

TEST_F(SqliteStoreTest, LastEventIdCountsEventsRetentionDeleted) {
  // The newest events of the log are an archived session's (archiving is
  // its last event): retention deletes them all. The next server must not
  // give their ids again, or a follower whose cursor is one of them would
  // miss the events that get them.
  ASSERT_TRUE(store_->PutSession(MakeSession("ses_a")).ok());
  ASSERT_TRUE(
      store_->AppendEvents({MakeEvent(1, "ses_a", 1), MakeEvent(2, "ses_a", 2)})
          .ok());
  Session archived = MakeSession("ses_a", SessionState::kArchived);
  archived.update_time = absl::Now() - absl::Hours(1);
  ASSERT_TRUE(store_->PutSession(archived).ok());
  ASSERT_EQ(*store_->PurgeArchivedEvents(absl::Now()), 2);
  EXPECT_EQ(*store_->LastEventId(), 2);
  EXPECT_EQ(*store_->PurgedThroughEventId(), 2);
}

TEST_F(SqliteStoreTest, RequestIdsAreUnique) {
  WriteBatch first;
  first.request_keys.push_back(
      {"CreateSession", "k1", "ses_a", "digest-a", absl::FromUnixSeconds(1)});
  ASSERT_TRUE(store_->Write(first).ok());
  std::optional<RequestKey> key = *store_->GetRequestKey("CreateSession", "k1");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->resource_id, "ses_a");
  EXPECT_EQ(key->request_digest, "digest-a");
  EXPECT_FALSE(store_->GetRequestKey("CreateSession", "k2")->has_value());
  EXPECT_FALSE(store_->GetRequestKey("StartTurn", "k1")->has_value());
  // A taken key fails the whole batch: the row it came with is not written.
  WriteBatch retry;
  retry.sessions.push_back(MakeSession("ses_b"));
  retry.request_keys.push_back(
      {"CreateSession", "k1", "ses_b", "digest-b", absl::FromUnixSeconds(2)});
  AuditRecord audit;
  audit.caller.method = "/codex_manager.v1.SessionService/CreateSession";
  retry.audit.push_back(audit);
  EXPECT_EQ(store_->Write(retry).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->GetSession("ses_b").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListAudit({}, {0, 10})->items.empty());
  // A key without its time is refused, with the batch, not kept as 1970
  // for retention to delete at once.
  WriteBatch timeless;
  timeless.sessions.push_back(MakeSession("ses_c"));
  timeless.request_keys.push_back({"CreateSession", "k3", "ses_c", "digest-c"});
  const absl::Status refused = store_->Write(timeless);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(refused.message(),
              HasSubstr("request_id k3 of CreateSession has no time"));
  EXPECT_EQ(store_->GetSession("ses_c").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SqliteStoreTest, KeyRetentionDeletesTheOldestKeysBeforeTheCutoff) {
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  WriteBatch keys;
  // Written out of time order: retention goes by the time, not the row.
  for (int hour : {2, 0, 3, 1}) {
    keys.request_keys.push_back({"StartTurn", "k" + std::to_string(hour),
                                 "turn_x", "digest", t0 + absl::Hours(hour)});
  }
  ASSERT_TRUE(store_->Write(keys).ok());
  EXPECT_EQ((*store_->GetRequestKey("StartTurn", "k2"))->create_time,
            t0 + absl::Hours(2));
  EXPECT_EQ(*store_->PurgeRequestKeys(t0, 10), 0);
  // Before hour 3: three go, the oldest first, at most `limit` a call.
  const absl::Time cutoff = t0 + absl::Minutes(150);
  EXPECT_EQ(*store_->PurgeRequestKeys(cutoff, 2), 2);
  EXPECT_FALSE(store_->GetRequestKey("StartTurn", "k0")->has_value());
  EXPECT_FALSE(store_->GetRequestKey("StartTurn", "k1")->has_value());
  EXPECT_TRUE(store_->GetRequestKey("StartTurn", "k2")->has_value());
  EXPECT_EQ(*store_->PurgeRequestKeys(cutoff, 2), 1);
  EXPECT_EQ(*store_->PurgeRequestKeys(cutoff, 2), 0);
  EXPECT_FALSE(store_->GetRequestKey("StartTurn", "k2")->has_value());
  EXPECT_TRUE(store_->GetRequestKey("StartTurn", "k3")->has_value());
  // A deleted key can be used again.
  WriteBatch again;
  again.request_keys.push_back(
      {"StartTurn", "k0", "turn_y", "digest", t0 + absl::Hours(4)});
  EXPECT_TRUE(store_->Write(again).ok());
}

TEST_F(SqliteStoreTest, AuditRetentionDeletesTheOldestAndSaysSo) {
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  for (int i = 0; i < 5; ++i) {
    AuditRecord r;
    r.time = t0 + absl::Hours(i);
    r.caller.method = absl::StrCat("m", i);
    ASSERT_TRUE(store_->AppendAudit(r).ok());
  }
  AuditRecord note;
  note.time = t0 + absl::Hours(10);
  note.caller.method = "retention/audit";
  note.message = "policy: ";
  // Nothing older: nothing deleted, no note.
  EXPECT_EQ(*store_->PurgeAudit(t0, 100, note), 0);
  EXPECT_EQ(store_->ListAudit({}, {0, 10})->items.size(), 5u);
  // Records before 3 h, at most two at a time: m0 and m1, then m2.
  EXPECT_EQ(*store_->PurgeAudit(t0 + absl::Hours(3), 2, note), 2);
  EXPECT_EQ(*store_->PurgeAudit(t0 + absl::Hours(3), 2, note), 1);
  EXPECT_EQ(*store_->PurgeAudit(t0 + absl::Hours(3), 2, note), 0);
  std::vector<std::string> left;
  absl::StatusOr<Page<AuditRecord>> page = store_->ListAudit({}, {0, 10});
  ASSERT_TRUE(page.ok()) << page.status();
  for (const AuditRecord& r : page->items) {
    left.push_back(absl::StrCat(r.caller.method, " ", r.message));
  }
  EXPECT_THAT(left,
              ::testing::ElementsAre(
                  "retention/audit policy: deleted 1 audit record made "
                  "before 2027-01-15T11:00:00.000Z",
                  "retention/audit policy: deleted 2 audit records made "
                  "before 2027-01-15T11:00:00.000Z",
                  "m4 ", "m3 "));
}

TEST_F(SqliteStoreTest, BurstOfEventsIsOneCommit) {
  std::vector<Event> burst;
  for (int i = 1; i <= 1000; ++i) burst.push_back(MakeEvent(i, "ses_a", i));
  const int64_t before = store_->Stats().commits;
  ASSERT_TRUE(store_->AppendEvents(burst).ok());
  EXPECT_EQ(store_->Stats().commits - before, 1);
  EXPECT_EQ(store_->Stats().events_appended, 1000);
  EXPECT_EQ(*store_->LastEventId(), 1000);
  EXPECT_EQ(*store_->LastSessionSeq("ses_a"), 1000);
  EXPECT_EQ(*store_->LastSessionSeq("ses_other"), 0);
}

TEST_F(SqliteStoreTest, AFailedBatchWritesNothing) {
  ASSERT_TRUE(store_->AppendEvents({MakeEvent(1, "ses_a", 1)}).ok());
  // Event 3 repeats seq 1 of ses_a: the whole batch must roll back.
  std::vector<Event> bad = {MakeEvent(2, "ses_a", 2), MakeEvent(3, "ses_a", 1)};
  EXPECT_FALSE(store_->AppendEvents(bad).ok());
  EXPECT_EQ(*store_->LastEventId(), 1);
  // And the store still works.
  EXPECT_TRUE(store_->AppendEvents({MakeEvent(2, "ses_a", 2)}).ok());
}

TEST_F(SqliteStoreTest, ReadEventsFiltersByCursorBoundAndSession) {
  std::vector<Event> events;
  for (int i = 1; i <= 10; ++i) {
    events.push_back(MakeEvent(i, i % 2 ? "ses_odd" : "ses_even", (i + 1) / 2));
  }
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  EventQuery q;
  q.after_event_id = 3;
  q.up_to_event_id = 8;
  auto got = store_->ReadEvents(q);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 5u);
  EXPECT_EQ(got->front().event_id, 4);
  EXPECT_EQ(got->back().event_id, 8);
  q.session_id = "ses_odd";
  got = store_->ReadEvents(q);
  ASSERT_EQ(got->size(), 2u);  // 5 and 7
  EXPECT_EQ((*got)[0].event_id, 5);
  EXPECT_EQ((*got)[0].payload["text"], "d5");
  EXPECT_EQ(*store_->EventIdOf("ses_even", 3), 6);
  EXPECT_EQ(store_->EventIdOf("ses_even", 99).status().code(),
            absl::StatusCode::kNotFound);
}

// A session's events come from the (session_id, session_seq) index, from
// the seq at the reader's cursor, whatever that cursor is: 0, one of the
// session's events, another session's, before its first or after its last.
TEST_F(SqliteStoreTest, ReadEventsOfASessionFromAnyCursorByTheSeqAtIt) {
  const std::vector<std::string> sessions = {"ses_a", "ses_b", "ses_c"};
  std::map<std::string, int64_t> seq;
  std::vector<Event> events;
  for (int64_t id = 1; id <= 60; ++id) {
    // ses_a throughout, ses_b from event 20 on, ses_c in a run of 10.
    const std::string& s = id % 3 == 0 && id >= 20 ? sessions[1]
                           : id > 40 && id <= 50   ? sessions[2]
                                                   : sessions[0];
    events.push_back(MakeEvent(id, s, ++seq[s]));
  }
  ASSERT_TRUE(store_->AppendEvents(events).ok());
  for (const std::string& session : sessions) {
    for (int64_t after = 0; after <= 61; ++after) {
      for (int64_t up_to : {int64_t{0}, int64_t{45}}) {
        std::vector<int64_t> want;
        for (const Event& e : events) {
          if (e.session_id == session && e.event_id > after &&
              (up_to == 0 || e.event_id <= up_to) && want.size() < 7) {
            want.push_back(e.event_id);
          }
        }
        EventQuery q;
        q.session_id = session;
        q.after_event_id = after;
        q.up_to_event_id = up_to;
        q.limit = 7;
        absl::StatusOr<std::vector<Event>> got = store_->ReadEvents(q);
        ASSERT_TRUE(got.ok()) << got.status();
        std::vector<int64_t> ids;
        for (const Event& e : *got) ids.push_back(e.event_id);
        EXPECT_EQ(ids, want)
            << session << " after " << after << " up to " << up_to;
      }
    }
  }
  EXPECT_THAT(*store_->CheckInvariants(), ::testing::IsEmpty());
}

TEST_F(SqliteStoreTest, CheckInvariantsNamesSeqsOutOfEventIdOrder) {
  ASSERT_TRUE(
      store_
          ->AppendEvents({MakeEvent(1, "ses_a", 1), MakeEvent(2, "ses_a", 3),
                          MakeEvent(3, "ses_a", 2)})
          .ok());
  EXPECT_THAT(*store_->CheckInvariants(),
              ::testing::ElementsAre(
                  "session_seq not in event_id order: event 2 is seq 3 of "
                  "ses_a, before event 3 with a lower seq"));
}

TEST(SqliteStoreFileTest, ReopensAndRefusesANewerSchema) {
  const std::string path = FreshDbPath("store_test");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_keep")).ok());
  }
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok());
    EXPECT_TRUE((*store)->GetSession("ses_keep").ok());
  }
  SqlOn(path, "PRAGMA user_version=99");
  auto store = SqliteStore::Open(path);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  std::filesystem::remove(path);
}

int64_t PageBytesOf(const std::string& path) {
  const std::vector<std::string> rows = SqlOn(path, "PRAGMA page_size");
  return rows.empty() ? 0 : std::stoll(rows.front());
}

// A database the store creates has 1 KiB pages (fewer WAL bytes a
// commit); one made before, with SQLite's 4 KiB, keeps them and opens,
// and its copies get small ones.
TEST(SqliteStoreFileTest, ANewDatabaseHasSmallPagesAnOldOneKeepsItsOwn) {
  const std::string dir =
      ::testing::TempDir() + "/pages-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto store = SqliteStore::Open(dir + "/new.db");
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_new")).ok());
  }
  EXPECT_EQ(PageBytesOf(dir + "/new.db"), 1024);

  SqlOn(dir + "/old.db",
        "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; "
        "CREATE TABLE before_us (a);");
  {
    auto store = SqliteStore::Open(dir + "/old.db");
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_old")).ok());
    EXPECT_TRUE((*store)->GetSession("ses_old").ok());
  }
  EXPECT_EQ(PageBytesOf(dir + "/old.db"), 4096);

  // Its copy (a backup) has small pages: restoring that converts it.
  {
    auto store = SqliteStore::Open(dir + "/old.db", /*read_connections=*/1);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<StoreCopy> copy = (*store)->CopyTo(dir + "/copy.db");
    ASSERT_TRUE(copy.ok()) << copy.status();
    EXPECT_EQ(copy->sessions, 1);
  }
  EXPECT_EQ(PageBytesOf(dir + "/copy.db"), 1024);
  EXPECT_EQ(PageBytesOf(dir + "/old.db"), 4096);
  std::filesystem::remove_all(dir);
}

// What a database of schema v22 lacks (v23's session column), one of v21
// (v22's too), one of v20 (v21's too), one of v19 (v20's too) and one of
// v18 (v19's approval columns too): SQL that makes a new database look
// older to the upgrade.
#define BEFORE_V23 "ALTER TABLE sessions DROP COLUMN preview; "
#define BEFORE_V22 BEFORE_V23 "ALTER TABLE sessions DROP COLUMN service_tier; "
#define BEFORE_V21 \
  BEFORE_V22 "ALTER TABLE sessions DROP COLUMN model_provider; "
#define BEFORE_V20 \
  BEFORE_V21 "ALTER TABLE sessions DROP COLUMN developer_instructions; "
constexpr char kBeforeV23[] = BEFORE_V23;
constexpr char kBeforeV22[] = BEFORE_V22;
constexpr char kBeforeV21[] = BEFORE_V21;
constexpr char kBeforeV20[] = BEFORE_V20;
constexpr char kBeforeV19[] = BEFORE_V20
    "ALTER TABLE approvals DROP COLUMN sub_agent_thread_id; "
    "ALTER TABLE approvals DROP COLUMN sub_agent_path; ";
#undef BEFORE_V20
#undef BEFORE_V21
#undef BEFORE_V22

// Keys stored by a server before v17 have no time: the upgrade stamps them
// with its own, so retention counts their days from then.
TEST(SqliteStoreFileTest, KeysFromBeforeTheirTimeCountFromTheUpgrade) {
  const std::string path = FreshDbPath("keys");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  SqlOn(path,
        absl::StrCat(kBeforeV19,
        "DROP INDEX requests_time; "
        "ALTER TABLE requests DROP COLUMN create_us; "
        "INSERT INTO requests (method, request_id, resource_id, "
        "request_digest) VALUES ('CreateSession', 'old', 'ses_old', ''); "
        "PRAGMA user_version=16;"));
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->PurgeRequestKeys(absl::Now() - absl::Hours(1), 10), 0);
  EXPECT_TRUE((*store)->GetRequestKey("CreateSession", "old")->has_value());
  EXPECT_EQ(*(*store)->PurgeRequestKeys(absl::Now() + absl::Minutes(1), 10), 1);
  std::filesystem::remove(path);
}

// v18 drops the second index of a session's events; what it held is
// still read, by the UNIQUE (session_id, session_seq) one.
TEST(SqliteStoreFileTest, TheUpgradeToV18LeavesOneIndexOfASessionsEvents) {
  const std::string path = FreshDbPath("v18");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(
        (*store)
            ->AppendEvents({MakeEvent(1, "ses_a", 1), MakeEvent(2, "ses_b", 1),
                            MakeEvent(3, "ses_a", 2)})
            .ok());
  }
  const char* const indexes =
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
      "'events' ORDER BY name";
  const std::vector<std::string> one = {"sqlite_autoindex_events_1"};
  EXPECT_EQ(SqlOn(path, indexes), one);
  SqlOn(path,
        absl::StrCat(kBeforeV19,
                     "CREATE INDEX events_session ON events(session_id, "
                     "event_id); PRAGMA user_version=17;"));
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(SqlOn(path, indexes), one);
  EventQuery q;
  q.session_id = "ses_a";
  q.after_event_id = 1;
  absl::StatusOr<std::vector<Event>> got = (*store)->ReadEvents(q);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(got->front().event_id, 3);
  std::filesystem::remove(path);
}

// v19 records which sub-agent asked for an approval; one recorded before
// reads as the session's own agent's.
TEST(SqliteStoreFileTest, ApprovalsKeepTheSubAgentThatAsked) {
  const std::string path = FreshDbPath("v19");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_a")).ok());
    Approval a;
    a.approval_id = "apr_helper";
    a.session_id = "ses_a";
    a.create_time = absl::Now();
    a.sub_agent_thread_id = "019a-helper";
    a.sub_agent_path = "/root/helper";
    ASSERT_TRUE((*store)->PutApproval(a).ok());
    // Deciding it keeps who asked.
    a.state = ApprovalState::kApproved;
    ASSERT_TRUE((*store)->PutApproval(a).ok());
    absl::StatusOr<Approval> got = (*store)->GetApproval("apr_helper");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->state, ApprovalState::kApproved);
    EXPECT_EQ(got->sub_agent_thread_id, "019a-helper");
    EXPECT_EQ(got->sub_agent_path, "/root/helper");
  }
  SqlOn(path, absl::StrCat(kBeforeV19, "PRAGMA user_version=18;"));
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<Approval> old = (*store)->GetApproval("apr_helper");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->sub_agent_thread_id, "");
  EXPECT_EQ(old->sub_agent_path, "");
  std::filesystem::remove(path);
}

// v20, v21 and v22 keep a session's developer instructions, model
// provider and service tier, written with its row (the tier also as it
// changes); a session from before has none of them.
TEST(SqliteStoreFileTest, SessionsKeepTheirInstructionsProviderAndTier) {
  for (const auto& [before, version] :
       {std::pair<const char*, int>{kBeforeV20, 19},
        {kBeforeV21, 20},
        {kBeforeV22, 21}}) {
    const std::string path = FreshDbPath(absl::StrCat("v", version + 1));
    {
      auto store = SqliteStore::Open(path);
      ASSERT_TRUE(store.ok()) << store.status();
      Session s = MakeSession("ses_told");
      s.developer_instructions = "Answer in French.";
      s.model_provider = "ollama";
      ASSERT_TRUE((*store)->PutSession(s).ok());
      s.state = SessionState::kStopped;
      s.service_tier = "priority";  // UpdateSession
      ASSERT_TRUE((*store)->PutSession(s).ok());
      absl::StatusOr<Session> got = (*store)->GetSession("ses_told");
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->state, SessionState::kStopped);
      EXPECT_EQ(got->developer_instructions, "Answer in French.");
      EXPECT_EQ(got->model_provider, "ollama");
      EXPECT_EQ(got->service_tier, "priority");
    }
    SqlOn(path, absl::StrCat(before, "PRAGMA user_version=", version, ";"));
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<Session> old = (*store)->GetSession("ses_told");
    ASSERT_TRUE(old.ok()) << old.status();
    EXPECT_EQ(old->service_tier, "");
    if (version <= 20) {
      EXPECT_EQ(old->model_provider, "");
    }
    if (version == 19) {
      EXPECT_EQ(old->developer_instructions, "");
    }
    std::filesystem::remove(path);
  }
}

// v23 keeps a session's preview with its row; a database from before
// gets each session's from its turns as it is upgraded.
TEST(SqliteStoreFileTest, AnUpgradeGivesSessionsTheirPreview) {
  const std::string path = FreshDbPath("v23");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_a")).ok());
    ASSERT_TRUE((*store)->PutSession(MakeSession("ses_none")).ok());
    Turn by_codex = MakeTurn("turn_1", "ses_a", TurnState::kCompleted);
    ASSERT_TRUE((*store)->PutTurn(by_codex).ok());
    Turn first = MakeTurn("turn_2", "ses_a", TurnState::kCompleted);
    first.prompt = "tidy the README";
    ASSERT_TRUE((*store)->PutTurn(first).ok());
  }
  SqlOn(path, absl::StrCat(kBeforeV23, "PRAGMA user_version=22;"));
  auto store = SqliteStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->GetSession("ses_a")->preview, "tidy the README");
  EXPECT_EQ((*store)->GetSession("ses_none")->preview, "");
  std::filesystem::remove(path);
}

TEST(SqliteStoreFileTest, DeliveriesKeepTheNewestAttempts) {
  const std::string path = FreshDbPath("deliveries_test");
  {
    auto store = SqliteStore::Open(path);
    ASSERT_TRUE(store.ok());
    for (int i = 1; i <= 5; ++i) {
      DeliveryRecord r;
      r.delivery_id = "dlv_" + std::to_string(i);
      r.attempt = i;
      r.target = "webhook";
      r.http_status = i == 5 ? 204 : 500;
      ASSERT_TRUE((*store)->AppendDelivery(r, /*keep=*/3).ok());
    }
  }
  EXPECT_EQ(SqlOn(path, "SELECT delivery_id FROM notification_deliveries "
                        "ORDER BY rowid"),
            (std::vector<std::string>{"dlv_3", "dlv_4", "dlv_5"}));
  std::filesystem::remove(path);
}

TEST_F(SqliteStoreTest, CheckInvariantsNamesRowsWithoutEventsAndGaps) {
  // A session and a turn, each committed with its state event.
  Session session = MakeSession("ses_a");
  Turn turn = MakeTurn("turn_1", "ses_a", TurnState::kCompleted);
  turn.prompt = "p";
  Event started = MakeEvent(1, "ses_a", 1);
  started.type = EventType::kSessionStateChanged;
  started.payload = {{"state", static_cast<int>(SessionState::kIdle)}};
  Event ended = MakeEvent(2, "ses_a", 2);
  ended.type = EventType::kTurnStateChanged;
  ended.turn_id = "turn_1";
  ended.payload = {{"turn_id", "turn_1"},
                   {"state", static_cast<int>(TurnState::kCompleted)}};
  WriteBatch batch;
  batch.sessions.push_back(session);
  batch.turns.push_back(turn);
  batch.events = {started, ended};
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_THAT(*store_->CheckInvariants(), ::testing::IsEmpty());

  // A turn row whose state has no event, and a seq gap.
  turn.turn_id = "turn_2";
  ASSERT_TRUE(store_->PutTurn(turn).ok());
  ASSERT_TRUE(store_->AppendEvents({MakeEvent(3, "ses_a", 4)}).ok());
  std::vector<std::string> violations = *store_->CheckInvariants();
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_THAT(violations[0], HasSubstr("session_seq not gapless from 1: ses_a"));
  EXPECT_THAT(violations[1],
              HasSubstr("turn row without its last TURN_STATE_CHANGED: turn_2"));
}

TEST_F(SqliteStoreTest, CheckInvariantsPairsRevertedTurnsWithTheirEvent) {
  Turn turn = MakeTurn("turn_1", "ses_a", TurnState::kCompleted);
  Event started = MakeEvent(1, "ses_a", 1);
  started.type = EventType::kTurnStateChanged;
  started.turn_id = "turn_1";
  started.payload = {{"turn_id", "turn_1"}, {"state", 3}};
  WriteBatch batch;
  batch.turns.push_back(turn);
  batch.events = {started};
  ASSERT_TRUE(store_->Write(batch).ok());
  // Reverted without its event, and an event naming a turn not reverted.
  turn.revert_time = absl::Now();
  ASSERT_TRUE(store_->PutTurn(turn).ok());
  Event reverted = MakeEvent(2, "ses_a", 2);
  reverted.type = EventType::kSessionReverted;
  reverted.payload = {{"before_turn_id", "turn_2"},
                      {"reverted_turn_ids", {"turn_2"}}};
  ASSERT_TRUE(store_->AppendEvents({reverted}).ok());
  std::vector<std::string> violations = *store_->CheckInvariants();
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_THAT(violations[0],
              HasSubstr("reverted turn without its SESSION_REVERTED: turn_1"));
  EXPECT_THAT(violations[1], HasSubstr("event 2 names turn turn_2"));
  // The pair as RevertSession writes it.
  reverted = MakeEvent(3, "ses_a", 3);
  reverted.type = EventType::kSessionReverted;
  reverted.payload = {{"before_turn_id", "turn_1"},
                      {"reverted_turn_ids", {"turn_1"}}};
  ASSERT_TRUE(store_->AppendEvents({reverted}).ok());
  EXPECT_EQ(store_->CheckInvariants()->size(), 1u);  // event 2's only
}

TEST(SqliteStoreFileTest, ReadsUseThePoolWhileTheWriterCommits) {
  const std::string path = FreshDbPath("pool");
  auto store = *SqliteStore::Open(path, /*read_connections=*/2);
  ASSERT_TRUE(store->PutSession(MakeSession("ses_a")).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {  // more readers than connections: they wait
    readers.emplace_back([&] {
      while (!done) {
        EventQuery q;
        q.session_id = "ses_a";
        if (!store->GetSession("ses_a").ok() || !store->ReadEvents(q).ok()) {
          ++failures;
        }
        ++reads;
      }
    });
  }
  // 500 commits, and on until the readers have read 50 times meanwhile:
  // 500 one-event commits can take less time than a busy machine takes
  // to start the readers.
  int64_t commits = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (commits < 500 || (reads < 50 && absl::Now() < deadline)) {
    ++commits;
    ASSERT_TRUE(
        store->AppendEvents({MakeEvent(commits, "ses_a", commits)}).ok());
  }
  // A read after a commit sees it (a fresh snapshot per statement).
  EXPECT_EQ(*store->LastEventId(), commits);
  EXPECT_EQ(store->GetSession("ses_a")->last_seq, commits);
  const int reads_while_committing = reads.load();
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads_while_committing, 50);
  store.reset();
  std::filesystem::remove(path);
}

TEST(SqliteStoreFileTest, CopyToIsAConsistentStoreWhileTheWriterCommits) {
  const std::string dir =
      ::testing::TempDir() + "/copy-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = *SqliteStore::Open(dir + "/codex-manager.db");
  ASSERT_TRUE(store->PutSession(MakeSession("ses_a")).ok());
  ASSERT_TRUE(store->AppendEvents({MakeEvent(1, "ses_a", 1)}).ok());
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 2; !done && i < 100000; ++i) {
      ASSERT_TRUE(store->AppendEvents({MakeEvent(i, "ses_a", i)}).ok());
    }
  });
  absl::StatusOr<StoreCopy> copy = store->CopyTo(dir + "/copy.db");
  done = true;
  writer.join();
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_EQ(copy->sessions, 1);
  EXPECT_GE(copy->last_event_id, 1);
  EXPECT_LE(copy->last_event_id, *store->LastEventId());

  // The copy is a store of its own: the events up to its last, gapless.
  auto copied = SqliteStore::Open(dir + "/copy.db");
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(*(*copied)->LastEventId(), copy->last_event_id);
  EXPECT_EQ((*copied)->GetSession("ses_a")->last_seq, copy->last_event_id);
  // (The test's rows have no state events: both stores say so alike.)
  EXPECT_EQ(*(*copied)->CheckInvariants(), *store->CheckInvariants());
  copied->reset();

  // An existing file is refused and left as it was.
  absl::StatusOr<StoreCopy> again = store->CopyTo(dir + "/copy.db");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(again.status().message(), HasSubstr("exists already"));
  EXPECT_TRUE(SqliteStore::Open(dir + "/copy.db").ok());
  // A folder that does not exist: an error, and nothing is written.
  EXPECT_FALSE(store->CopyTo(dir + "/missing/copy.db").ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace codex_manager
