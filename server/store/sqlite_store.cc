#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <limits>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "store/wal_checkpointer.h"

namespace codex_manager {
namespace {

// Schema version 1. Times are microseconds since the Unix epoch.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE sessions (
  rowid INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  cwd TEXT NOT NULL,
  model TEXT NOT NULL,
  approval_policy TEXT NOT NULL,
  sandbox TEXT NOT NULL,
  title TEXT NOT NULL,
  state INTEGER NOT NULL,
  thread_id TEXT NOT NULL,
  last_error TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  update_us INTEGER NOT NULL
);
CREATE INDEX sessions_state ON sessions(state);
CREATE TABLE turns (
  rowid INTEGER PRIMARY KEY,
  turn_id TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL,
  prompt TEXT NOT NULL,
  state INTEGER NOT NULL,
  codex_turn_id TEXT NOT NULL,
  error TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  start_us INTEGER,
  end_us INTEGER,
  final_message TEXT NOT NULL
);
CREATE INDEX turns_session ON turns(session_id, rowid);
CREATE INDEX turns_state ON turns(state);
CREATE TABLE approvals (
  rowid INTEGER PRIMARY KEY,
  approval_id TEXT NOT NULL UNIQUE,
  session_id TEXT NOT NULL,
  turn_id TEXT NOT NULL,
  kind INTEGER NOT NULL,
  state INTEGER NOT NULL,
  command TEXT NOT NULL,
  cwd TEXT NOT NULL,
  reason TEXT NOT NULL,
  diff TEXT NOT NULL,
  item_id TEXT NOT NULL,
  params_json TEXT NOT NULL,
  method TEXT NOT NULL,
  decision INTEGER NOT NULL,
  create_us INTEGER NOT NULL,
  resolve_us INTEGER,
  resolve_request_id TEXT NOT NULL,
  request_event_id INTEGER NOT NULL
);
CREATE INDEX approvals_session ON approvals(session_id, state);
CREATE INDEX approvals_state ON approvals(state);
CREATE TABLE events (
  event_id INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL,
  session_seq INTEGER NOT NULL,
  type INTEGER NOT NULL,
  turn_id TEXT NOT NULL,
  create_us INTEGER NOT NULL,
  payload TEXT NOT NULL,
  UNIQUE (session_id, session_seq)
);
CREATE TABLE requests (
  method TEXT NOT NULL,
  request_id TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  PRIMARY KEY (method, request_id)
);
CREATE TABLE audit (
  rowid INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Schema version 2: bearer tokens (only the SHA-256 of each secret) and the
// audit log of the trust boundary, which replaces v1's `audit` table.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE tokens (
  rowid INTEGER PRIMARY KEY,
  token_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role INTEGER NOT NULL,
  secret_sha256 TEXT NOT NULL UNIQUE,
  create_us INTEGER NOT NULL,
  expire_us INTEGER,
  last_used_us INTEGER,
  revoke_us INTEGER,
  bootstrap INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_log (
  audit_id INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  token_id TEXT NOT NULL,
  token_name TEXT NOT NULL,
  role INTEGER NOT NULL,
  peer TEXT NOT NULL,
  request_id TEXT NOT NULL,
  method TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  code INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX audit_log_token ON audit_log(token_id, audit_id);
CREATE INDEX audit_log_method ON audit_log(method, audit_id);
INSERT INTO audit_log (time_us, token_id, token_name, role, peer, request_id,
                       method, resource_id, code, message)
  SELECT time_us, '', '', 0, '', '',
         CASE action
           WHEN 'InterruptTurn' THEN '/codex_manager.v1.TurnService/' || action
           WHEN 'ResolveApproval'
             THEN '/codex_manager.v1.ApprovalService/' || action
           ELSE '/codex_manager.v1.SessionService/' || action END,
         target, 0, detail
  FROM audit ORDER BY rowid;
DROP TABLE audit;
)sql";

// v3: every read by an index. A session's events by event_id (replay and
// resume of one session, 12 events out of a million, without a scan).
constexpr const char* kSchemaV3 = R"sql(
CREATE INDEX events_session ON events(session_id, event_id);
)sql";

// v4: retention (--retain-archived-days) records what it deleted.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE sessions ADD COLUMN purged_seq INTEGER NOT NULL DEFAULT 0;
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql";

// v5: every notification attempt (webhook, ntfy), newest kept; see
// docs/notifications.md for reading it.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE notification_deliveries (
  rowid INTEGER PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  time_us INTEGER NOT NULL,
  target TEXT NOT NULL,
  host TEXT NOT NULL,
  event TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  session_id TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  error TEXT NOT NULL,
  duration_us INTEGER NOT NULL
);
CREATE INDEX notification_deliveries_id ON notification_deliveries(delivery_id);
)sql";

// v6: the Codex version each session's runtime reported.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE sessions ADD COLUMN runtime_version TEXT NOT NULL DEFAULT '';
)sql";

// v7: a session's reasoning effort (UpdateSession).
constexpr const char* kSchemaV7 = R"sql(
ALTER TABLE sessions ADD COLUMN effort TEXT NOT NULL DEFAULT '';
)sql";

// v8: sessions by Codex thread (ImportThread refuses a second session on
// one thread; ListCodexThreads names the session of each).
constexpr const char* kSchemaV8 = R"sql(
CREATE INDEX sessions_thread ON sessions(thread_id);
)sql";

// v9: when RevertSession took a turn out of the conversation.
constexpr const char* kSchemaV9 = R"sql(
ALTER TABLE turns ADD COLUMN revert_us INTEGER;
)sql";

// v10: turns Codex started by itself (Turn.started_by_codex).
constexpr const char* kSchemaV10 = R"sql(
ALTER TABLE turns ADD COLUMN started_by_codex INTEGER NOT NULL DEFAULT 0;
)sql";

// v11: the thread's goal (Session.goal), as GoalToJson; '' when none.
constexpr const char* kSchemaV11 = R"sql(
ALTER TABLE sessions ADD COLUMN goal_json TEXT NOT NULL DEFAULT '';
)sql";

// v12: audit retention (--retain-audit-days) seeks records by time.
constexpr const char* kSchemaV12 = R"sql(
CREATE INDEX audit_log_time ON audit_log(time_us);
)sql";

// v13: the thread's settings as Codex reports them (Session.codex_settings),
// as CodexSettingsToJson; '' when none were.
constexpr const char* kSchemaV13 = R"sql(
ALTER TABLE sessions ADD COLUMN codex_settings_json TEXT NOT NULL DEFAULT '';
)sql";

// v14: session_seqs a restore lost (store/restore.h): the database it
// replaced had given `after_seq`+1..`through_seq` of the session, which
// this one never held; the session's next event comes after through_seq.
constexpr const char* kSchemaV14 = R"sql(
CREATE TABLE restore_gaps (
  session_id TEXT NOT NULL,
  after_seq INTEGER NOT NULL,
  through_seq INTEGER NOT NULL,
  restore_us INTEGER NOT NULL,
  PRIMARY KEY (session_id, after_seq)
);
)sql";

// v15: what first used each idempotency key (RequestKey::request_digest):
// a repeat by another request is refused, not answered with the first
// one's resource. '' for keys written before.
constexpr const char* kSchemaV15 = R"sql(
ALTER TABLE requests ADD COLUMN request_digest TEXT NOT NULL DEFAULT '';
)sql";

// v16: the digest of the ResolveApproval call that decided an approval
// (Approval::resolve_request_digest), so its key answers only a repeat of
// that call. '' for approvals decided before.
constexpr const char* kSchemaV16 = R"sql(
ALTER TABLE approvals ADD COLUMN resolve_request_digest TEXT NOT NULL
  DEFAULT '';
)sql";

// v17: when each idempotency key was stored, for their retention
// (--retain-request-keys-days). Keys stored before count from the upgrade.
constexpr const char* kSchemaV17 = R"sql(
ALTER TABLE requests ADD COLUMN create_us INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET create_us = CAST(strftime('%s', 'now') AS INTEGER) * 1000000;
CREATE INDEX requests_time ON requests(create_us);
)sql";

// v18: one index of a session's events, not two. Replays seek the
// UNIQUE (session_id, session_seq) index by the seq at their cursor
// (SqliteStore::SessionSeqAt); events_session (session_id, event_id) was
// one more b-tree page every commit wrote for each session it touched
// (docs/performance.md, "One index of a session's events").
constexpr const char* kSchemaV18 = R"sql(
DROP INDEX IF EXISTS events_session;
)sql";

// v19: which sub-agent of the session's agent asked for an approval
// (Approval::sub_agent_thread_id, sub_agent_path), so a list of approvals
// names it. '' for the session's own agent, and for approvals from before.
constexpr const char* kSchemaV19 = R"sql(
ALTER TABLE approvals ADD COLUMN sub_agent_thread_id TEXT NOT NULL DEFAULT '';
ALTER TABLE approvals ADD COLUMN sub_agent_path TEXT NOT NULL DEFAULT '';
)sql";

// v20: a session's Codex developer instructions
// (Session::developer_instructions); '' for sessions from before.
constexpr const char* kSchemaV20 = R"sql(
ALTER TABLE sessions ADD COLUMN developer_instructions TEXT NOT NULL DEFAULT '';
)sql";

// v21: a session's Codex model provider (Session::model_provider); '' (the
// Codex configuration's default) for sessions from before.
constexpr const char* kSchemaV21 = R"sql(
ALTER TABLE sessions ADD COLUMN model_provider TEXT NOT NULL DEFAULT '';
)sql";

// v22: a session's Codex service tier (Session::service_tier,
// UpdateSession); '' (the thread's own) for sessions from before.
constexpr const char* kSchemaV22 = R"sql(
ALTER TABLE sessions ADD COLUMN service_tier TEXT NOT NULL DEFAULT '';
)sql";

// v23: the start of a session's first prompt (Session::preview), kept
// with its row so that reading a session never reads a whole prompt
// (up to --max-prompt-bytes); the sessions from before get theirs from
// their turns.
constexpr const char* kSchemaV23 = R"sql(
ALTER TABLE sessions ADD COLUMN preview TEXT NOT NULL DEFAULT '';
UPDATE sessions SET preview = COALESCE((SELECT substr(t.prompt, 1, 200)
  FROM turns t WHERE t.session_id = sessions.session_id AND t.prompt <> ''
  ORDER BY t.rowid LIMIT 1), '');
)sql";

// The page size of a database the store creates, and of its copies:
// 1 KiB, not SQLite's 4 KiB (SqliteStore::Open says why).
constexpr const char* kSmallPages = "PRAGMA page_size=1024";

int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

}  // namespace

// A borrowed, cached prepared statement; resets itself when it goes away.
class SqliteStore::Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt() {
    if (s_ != nullptr) {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
  }

  Stmt& Bind(int i, absl::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    return Bind(i, absl::string_view(v));
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, absl::string_view(v)); }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& Bind(int i, int v) { return Bind(i, static_cast<int64_t>(v)); }
  Stmt& Bind(int i, const std::optional<absl::Time>& t) {
    if (t.has_value()) return Bind(i, ToMicros(*t));
    sqlite3_bind_null(s_, i);
    return *this;
  }

  // Makes the statement ready to be bound and stepped again.
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(s_); }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      sqlite3_column_bytes(s_, col));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  std::optional<absl::Time> OptTime(int col) const {
    if (sqlite3_column_type(s_, col) == SQLITE_NULL) return std::nullopt;
    return FromMicros(Int(col));
  }

 private:
  sqlite3_stmt* s_;
};

namespace {

// The writer's busy handler (sqlite3_busy_handler): true to try again.
// SQLite's own (sqlite3_busy_timeout) sleeps 1 ms, then 2, 5, 10 ms and
// more between tries. The lock the writer waits for is the checkpointer's
// RESTART (store/wal_checkpointer.h), held about half a millisecond, so
// that first sleep alone cost the events queued behind the writer more
// than the lock did. This one tries every 50 µs for the first 5 ms, then
// every millisecond, and gives up (SQLITE_BUSY: UNAVAILABLE) after about
// 5 s, as the timeout it replaces did.
int WriterBusy(void*, int tries) {
  constexpr int kFineTries = 100;     // of 50 µs: 5 ms
  constexpr int kCoarseTries = 4995;  // of 1 ms
  if (tries < kFineTries) {
    absl::SleepFor(absl::Microseconds(50));
    return 1;
  }
  if (tries < kFineTries + kCoarseTries) {
    absl::SleepFor(absl::Milliseconds(1));
    return 1;
  }
  return 0;
}

// A SQLite result code as a status: a full disk, an I/O error or a lock
// held too long are UNAVAILABLE (retryable once the condition clears);
// anything else is INTERNAL.
absl::Status StatusOf(int rc, absl::string_view message) {
  const std::string text = absl::StrCat("sqlite: ", message);
  switch (rc & 0xff) {  // the primary code of an extended one
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(text);
    default:
      return absl::InternalError(text);
  }
}

}  // namespace

class SqliteStore::Reader {
 public:
  explicit Reader(SqliteStore* store) ABSL_NO_THREAD_SAFETY_ANALYSIS
      : store_(store) {
    if (!store->pooled_) {
      store->mu_.Lock();  // the writer's connection: one at a time
      return;
    }
    absl::MutexLock lock(&store->pool_mu_);
    auto available = [store]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                         store->pool_mu_) { return !store->idle_.empty(); };
    store->pool_mu_.Await(absl::Condition(&available));
    conn_ = store->idle_.back();
    store->idle_.pop_back();
  }
  ~Reader() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (conn_ == nullptr) {
      store_->mu_.Unlock();
      return;
    }
    absl::MutexLock lock(&store_->pool_mu_);
    store_->idle_.push_back(conn_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  absl::StatusOr<Stmt> Prepare(const char* sql) ABSL_NO_THREAD_SAFETY_ANALYSIS {
    if (conn_ == nullptr) return store_->Prepare(sql);
    auto it = conn_->cache.find(sql);
    if (it != conn_->cache.end()) return Stmt(it->second);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(conn_->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return Error(absl::StrCat("prepare ", sql));
    }
    conn_->cache.emplace(sql, stmt);
    return Stmt(stmt);
  }
  absl::Status Error(absl::string_view what) const {
    sqlite3* db = conn_ != nullptr ? conn_->db : store_->db_;
    return StatusOf(sqlite3_extended_errcode(db),
                    absl::StrCat(what, ": ", sqlite3_errmsg(db)));
  }

 private:
  SqliteStore* const store_;
  ReadConnection* conn_ = nullptr;
};

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(
    const std::string& path, int read_connections) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::InternalError(
        absl::StrCat("cannot open database ", path, ": ", msg));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  absl::MutexLock lock(&store->mu_);
  sqlite3_busy_handler(db, &WriterBusy, nullptr);
  // 1 KiB pages, not SQLite's 4 KiB, for a database this creates (an
  // existing file keeps the page size it has). Each commit writes whole
  // pages into the WAL: an event's row and its index entry (two before
  // v18), two to four pages however small the event. With 100 sessions
  // streaming that was 75 MB of WAL a second with 4 KiB pages, and what
  // the checkpoints copy and sync, and the writer waits for, grows with
  // it (docs/performance.md, "Smaller pages").
  RETURN_IF_ERROR(store->Exec(kSmallPages));
  // WAL: readers never block the writer; NORMAL sync is durable across
  // process crashes (a power loss may drop the last commits, never corrupt).
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  RETURN_IF_ERROR(store->Exec("PRAGMA foreign_keys=ON"));
  RETURN_IF_ERROR(store->Migrate());
  if (path == ":memory:" || path.empty()) return store;  // private to db_
  // Checkpoints run off the writer's thread (store/wal_checkpointer.h).
  absl::StatusOr<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start(path);
  if (!checkpointer.ok()) return checkpointer.status();
  store->checkpointer_ = std::move(*checkpointer);
  store->checkpointer_->Attach(db);
  for (int i = 0; i < read_connections; ++i) {
    auto conn = std::make_unique<ReadConnection>();
    rc = sqlite3_open_v2(path.c_str(), &conn->db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = conn->db ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc);
      sqlite3_close(conn->db);
      return absl::InternalError(
          absl::StrCat("cannot open a read connection to ", path, ": ", msg));
    }
    sqlite3_busy_timeout(conn->db, 5000);
    absl::MutexLock pool(&store->pool_mu_);
    store->idle_.push_back(conn.get());
    store->readers_.push_back(std::move(conn));
  }
  store->pooled_ = !store->readers_.empty();
  return store;
}

SqliteStore::SqliteStore(sqlite3* db) : db_(db) {}

SqliteStore::~SqliteStore() {
  if (checkpointer_) {
    {
      absl::MutexLock lock(&mu_);
      WalCheckpointer::Detach(db_);
    }
    checkpointer_.reset();
  }
  for (auto& conn : readers_) {
    for (auto& [sql, stmt] : conn->cache) sqlite3_finalize(stmt);
    sqlite3_close(conn->db);
  }
  absl::MutexLock lock(&mu_);
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

absl::Status SqliteStore::Error(absl::string_view what) {
  return StatusOf(sqlite3_extended_errcode(db_),
                  absl::StrCat(what, ": ", sqlite3_errmsg(db_)));
}

absl::Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
      rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return StatusOf(rc, msg);
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::ExecCached(const char* sql, absl::string_view what) {
  ASSIGN_OR_RETURN(Stmt st, Prepare(sql));
  return StepWrite(st, what);  // its error is read before `st` resets
}

absl::Status SqliteStore::Migrate() {
  int64_t version = 0;
  {
    // Reset before migrating: an active statement would lock the schema.
    ASSIGN_OR_RETURN(Stmt v, Prepare("PRAGMA user_version"));
    if (v.Step() != SQLITE_ROW) return Error("user_version");
    version = v.Int(0);
  }
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database schema version ", version, " is newer than this server (",
        kSchemaVersion, "); upgrade codex-manager-server"));
  }
  // Each version in its own transaction.
  const char* const steps[] = {
      kSchemaV1,  kSchemaV2,  kSchemaV3,  kSchemaV4,  kSchemaV5,  kSchemaV6,
      kSchemaV7,  kSchemaV8,  kSchemaV9,  kSchemaV10, kSchemaV11, kSchemaV12,
      kSchemaV13, kSchemaV14, kSchemaV15, kSchemaV16, kSchemaV17, kSchemaV18,
      kSchemaV19, kSchemaV20, kSchemaV21, kSchemaV22, kSchemaV23};
  for (int v = static_cast<int>(version) + 1; v <= kSchemaVersion; ++v) {
    RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
      RETURN_IF_ERROR(Exec(steps[v - 1]));
      return Exec(absl::StrCat("PRAGMA user_version=", v).c_str());
    }));
  }
  return absl::OkStatus();
}

absl::StatusOr<SqliteStore::Stmt> SqliteStore::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Stmt(it->second);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                         nullptr) != SQLITE_OK) {
    return Error(absl::StrCat("prepare ", sql));
  }
  cache_.emplace(sql, stmt);
  return Stmt(stmt);
}

absl::Status SqliteStore::StepWrite(Stmt& stmt, absl::string_view what) {
  if (stmt.Step() != SQLITE_DONE) return Error(what);
  return absl::OkStatus();
}

template <typename Fn>
absl::Status SqliteStore::InTransaction(Fn body) {
  // BEGIN and COMMIT from the statement cache: sqlite3_exec would parse
  // them again for every change, a few microseconds of each commit.
  RETURN_IF_ERROR(ExecCached("BEGIN IMMEDIATE", "begin"));
  absl::Status status = body();
  if (status.ok()) status = ExecCached("COMMIT", "commit");
  if (!status.ok()) {
    Exec("ROLLBACK").IgnoreError();
    return status;
  }
  ++stats_.commits;
  return absl::OkStatus();
}

absl::Status SqliteStore::WriteAll(
    absl::Span<const WriteBatch* const> batches) {
  absl::MutexLock lock(&mu_);
  int64_t events = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    for (const WriteBatch* batch : batches) {
      for (const Session& s : batch->sessions) {
        RETURN_IF_ERROR(PutSessionLocked(s));
      }
      for (const Turn& t : batch->turns) RETURN_IF_ERROR(PutTurnLocked(t));
      for (const Approval& a : batch->approvals) {
        RETURN_IF_ERROR(PutApprovalLocked(a));
      }
      for (const TokenRecord& t : batch->tokens) {
        RETURN_IF_ERROR(PutTokenLocked(t));
      }
      for (const RequestKey& k : batch->request_keys) {
        RETURN_IF_ERROR(PutRequestKeyLocked(k));
      }
      for (const AuditRecord& r : batch->audit) {
        RETURN_IF_ERROR(AppendAuditLocked(r));
      }
      RETURN_IF_ERROR(AppendEventsLocked(batch->events));
      events += static_cast<int64_t>(batch->events.size());
    }
    return absl::OkStatus();
  }));
  stats_.events_appended += events;
  return absl::OkStatus();
}

template <typename T, typename ReadFn>
absl::StatusOr<T> SqliteStore::ReadOne(const Reader& reader, Stmt& st,
                                       absl::string_view kind,
                                       absl::string_view id, ReadFn read) {
  const int rc = st.Step();
  if (rc == SQLITE_DONE) {
    return absl::NotFoundError(absl::StrCat(kind, " ", id, " not found"));
  }
  if (rc != SQLITE_ROW) return reader.Error(absl::StrCat("get ", kind));
  return read(st);
}

template <typename T, typename ReadFn>
absl::StatusOr<Page<T>> SqliteStore::ReadPage(const Reader& reader, Stmt& st,
                                              int limit, int rowid_col,
                                              ReadFn read) {
  Page<T> out;
  int64_t last_rowid = 0;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = last_rowid;  // there is more after the last row we kept
      return out;
    }
    out.items.push_back(read(st));
    last_rowid = st.Int(rowid_col);
  }
  if (rc != SQLITE_DONE) return reader.Error("read page");
  return out;
}

// ---- sessions -------------------------------------------------------------

// The newest session_seq given to session ID (an SQL expression) whose
// purged_seq is PURGED: its newest event's; the newest retention deleted
// (purged_seq); or the newest a restore lost (its gaps' through_seq).
// clang-format off
#define NEWEST_SEQ(ID, PURGED)                                              \
  "MAX(" PURGED ", "                                                        \
  "(SELECT COALESCE(MAX(e.session_seq), 0) FROM events e "                  \
  "WHERE e.session_id = " ID "), "                                          \
  "(SELECT COALESCE(MAX(g.through_seq), 0) FROM restore_gaps g "            \
  "WHERE g.session_id = " ID "))"

#define SESSION_SELECT                                                       \
  "SELECT s.session_id, s.cwd, s.model, s.approval_policy, s.sandbox, "      \
  "s.title, s.state, s.thread_id, s.last_error, s.create_us, s.update_us, "  \
  "(SELECT COUNT(*) FROM approvals a WHERE a.session_id = s.session_id AND " \
  "a.state = 1), " NEWEST_SEQ("s.session_id", "s.purged_seq") ", s.rowid, "  \
  "s.purged_seq, s.runtime_version, s.effort, s.goal_json, "                 \
  "s.codex_settings_json, s.developer_instructions, s.model_provider, "    \
  "s.service_tier, s.preview "                                               \
  "FROM sessions s "
// clang-format on

static Session ReadSession(const auto& st) {
  Session s;
  s.session_id = st.Text(0);
  s.cwd = st.Text(1);
  s.model = st.Text(2);
  s.approval_policy = st.Text(3);
  s.sandbox = st.Text(4);
  s.title = st.Text(5);
  s.state = static_cast<SessionState>(st.Int(6));
  s.thread_id = st.Text(7);
  s.last_error = st.Text(8);
  s.create_time = FromMicros(st.Int(9));
  s.update_time = FromMicros(st.Int(10));
  s.pending_approvals = static_cast<int>(st.Int(11));
  s.last_seq = st.Int(12);
  s.purged_seq = st.Int(14);
  s.runtime_version = st.Text(15);
  s.effort = st.Text(16);
  if (std::string goal = st.Text(17); !goal.empty()) {
    s.goal = GoalFromJson(nlohmann::json::parse(goal, nullptr, false));
  }
  if (std::string settings = st.Text(18); !settings.empty()) {
    s.codex_settings =
        CodexSettingsFromJson(nlohmann::json::parse(settings, nullptr, false));
  }
  s.developer_instructions = st.Text(19);
  s.model_provider = st.Text(20);
  s.service_tier = st.Text(21);
  s.preview = st.Text(22);
  return s;
}

absl::Status SqliteStore::PutSession(const Session& s) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&] { return PutSessionLocked(s); });
}

// A session's developer instructions and model provider are written
// once, with its row (CreateSessionRequest).
absl::Status SqliteStore::PutSessionLocked(const Session& s) {
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO sessions (session_id, cwd, model, approval_policy, "
              "sandbox, title, state, thread_id, last_error, create_us, "
              "update_us, runtime_version, effort, goal_json, "
              "codex_settings_json, developer_instructions, model_provider, "
              "service_tier) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
              "?14, ?15, ?16, ?17, ?18) ON CONFLICT (session_id) DO "
              "UPDATE SET cwd = ?2, model = ?3, approval_policy = ?4, "
              "sandbox = ?5, title = ?6, state = ?7, thread_id = ?8, "
              "last_error = ?9, update_us = ?11, runtime_version = ?12, "
              "effort = ?13, goal_json = ?14, codex_settings_json = ?15, "
              "service_tier = ?18"));
  st.Bind(1, s.session_id).Bind(2, s.cwd).Bind(3, s.model);
  st.Bind(4, s.approval_policy).Bind(5, s.sandbox).Bind(6, s.title);
  st.Bind(7, static_cast<int>(s.state)).Bind(8, s.thread_id);
  st.Bind(9, s.last_error).Bind(10, ToMicros(s.create_time));
  st.Bind(11, ToMicros(s.update_time)).Bind(12, s.runtime_version);
  st.Bind(13, s.effort);
  st.Bind(14, s.goal ? GoalToJson(*s.goal).dump(
                           -1, ' ', false, nlohmann::json::error_handler_t::replace)
                     : std::string());
  const nlohmann::json settings = CodexSettingsToJson(s.codex_settings);
  st.Bind(15, settings.empty()
                  ? std::string()
                  : settings.dump(-1, ' ', false,
                                  nlohmann::json::error_handler_t::replace));
  st.Bind(16, s.developer_instructions).Bind(17, s.model_provider);
  st.Bind(18, s.service_tier);
  return StepWrite(st, "put session");
}

absl::StatusOr<Session> SqliteStore::GetSession(absl::string_view id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(SESSION_SELECT "WHERE s.session_id = ?1"));
  st.Bind(1, id);
  return ReadOne<Session>(reader, st, "session", id,
                          [](const Stmt& row) { return ReadSession(row); });
}

absl::StatusOr<Page<Session>> SqliteStore::ListSessions(
    const SessionQuery& query, PageRequest page) {
  Reader reader(this);
  // Keyset pagination from the rowid (no OR in the key, so every page, the
  // last included, starts with a seek); the filters are checked on each row
  // on the way, whatever their shape, so one statement serves them all:
  // the states as a bit mask (bit N: state N), an empty search or cwd
  // matching any row. A search is one LIKE pattern (?6: the text with its
  // wildcards escaped; LIKE folds ASCII letters only) for the title, the
  // cwd and the session's prompts, read from the turns_session index.
  ASSIGN_OR_RETURN(
      Stmt st, reader.Prepare(SESSION_SELECT
                              "WHERE s.rowid < ?1 AND (?2 >> s.state) & 1 AND "
                              "(?3 = '' OR s.title LIKE ?6 ESCAPE '\\' OR "
                              "s.cwd LIKE ?6 ESCAPE '\\' OR EXISTS (SELECT 1 "
                              "FROM turns t WHERE t.session_id = s.session_id "
                              "AND t.prompt LIKE ?6 ESCAPE '\\')) AND "
                              "(?4 = '' OR s.cwd = ?4 OR "
                              "substr(s.cwd, 1, length(?4) + 1) = ?4 || '/') "
                              "ORDER BY s.rowid DESC LIMIT ?5"));
  int64_t states = 0;
  for (SessionState state : query.states) {
    const int bit = static_cast<int>(state);
    if (bit >= 0 && bit < 63) states |= int64_t{1} << bit;  // else: none
  }
  if (query.states.empty()) {
    states = ~int64_t{0};
    if (!query.include_archived) {
      states &= ~(int64_t{1} << static_cast<int>(SessionState::kArchived));
    }
  }
  st.Bind(1, page.after == 0 ? std::numeric_limits<int64_t>::max()
                             : page.after);
  st.Bind(2, states);
  st.Bind(3, query.search).Bind(4, query.cwd);
  st.Bind(5, page.limit + 1);
  st.Bind(6, absl::StrCat("%",
                          absl::StrReplaceAll(
                              query.search,
                              {{"\\", "\\\\"}, {"%", "\\%"}, {"_", "\\_"}}),
                          "%"));
  return ReadPage<Session>(reader, st, page.limit, /*rowid_col=*/13,
                           [](const Stmt& row) { return ReadSession(row); });
}

absl::StatusOr<std::vector<Session>> SqliteStore::SessionsOfThread(
    absl::string_view thread_id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(SESSION_SELECT
                                           "WHERE s.thread_id = ?1 "
                                           "ORDER BY s.rowid"));
  st.Bind(1, thread_id);
  std::vector<Session> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadSession(st));
  if (rc != SQLITE_DONE) return reader.Error("sessions of thread");
  return out;
}

absl::StatusOr<std::vector<Session>> SqliteStore::SessionsInState(
    SessionState state) {
  Reader reader(this);
  ASSIGN_OR_RETURN(
      Stmt st, reader.Prepare(SESSION_SELECT "WHERE s.state = ?1 ORDER BY s.rowid"));
  st.Bind(1, static_cast<int>(state));
  std::vector<Session> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadSession(st));
  if (rc != SQLITE_DONE) return reader.Error("sessions in state");
  return out;
}
#undef SESSION_SELECT

// ---- turns ----------------------------------------------------------------

#define TURN_SELECT                                                   \
  "SELECT turn_id, session_id, prompt, state, codex_turn_id, error, " \
  "create_us, start_us, end_us, final_message, rowid, revert_us, "     \
  "started_by_codex FROM turns "

static Turn ReadTurn(const auto& st) {
  Turn t;
  t.turn_id = st.Text(0);
  t.session_id = st.Text(1);
  t.prompt = st.Text(2);
  t.state = static_cast<TurnState>(st.Int(3));
  t.codex_turn_id = st.Text(4);
  t.error = st.Text(5);
  t.create_time = FromMicros(st.Int(6));
  t.start_time = st.OptTime(7);
  t.end_time = st.OptTime(8);
  t.final_message = st.Text(9);
  t.revert_time = st.OptTime(11);
  t.started_by_codex = st.Int(12) != 0;
  return t;
}

absl::Status SqliteStore::PutTurn(const Turn& t) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&] { return PutTurnLocked(t); });
}

absl::Status SqliteStore::PutTurnLocked(const Turn& t) {
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO turns (turn_id, session_id, prompt, state, "
              "codex_turn_id, error, create_us, start_us, end_us, "
              "final_message, revert_us, started_by_codex) VALUES (?1, ?2, "
              "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
              "ON CONFLICT (turn_id) DO UPDATE SET state = ?4, "
              "codex_turn_id = ?5, error = ?6, start_us = ?8, end_us = ?9, "
              "final_message = ?10, revert_us = COALESCE(?11, revert_us)"));
  st.Bind(1, t.turn_id).Bind(2, t.session_id).Bind(3, t.prompt);
  st.Bind(4, static_cast<int>(t.state)).Bind(5, t.codex_turn_id);
  st.Bind(6, t.error).Bind(7, ToMicros(t.create_time));
  st.Bind(8, t.start_time).Bind(9, t.end_time).Bind(10, t.final_message);
  st.Bind(11, t.revert_time).Bind(12, t.started_by_codex ? 1 : 0);
  RETURN_IF_ERROR(StepWrite(st, "put turn"));
  if (t.prompt.empty()) return absl::OkStatus();
  // The session's first prompt that is not empty starts its preview
  // (Session::preview): 200 characters, from at most 800 bytes of it.
  ASSIGN_OR_RETURN(Stmt preview,
                   Prepare("UPDATE sessions SET preview = substr(?2, 1, 200) "
                           "WHERE session_id = ?1 AND preview = ''"));
  preview.Bind(1, t.session_id);
  preview.Bind(2, TruncateUtf8(t.prompt, 800));
  return StepWrite(preview, "put session preview");
}

absl::StatusOr<Turn> SqliteStore::GetTurn(absl::string_view id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(TURN_SELECT "WHERE turn_id = ?1"));
  st.Bind(1, id);
  return ReadOne<Turn>(reader, st, "turn", id,
                          [](const Stmt& row) { return ReadTurn(row); });
}

absl::StatusOr<Page<Turn>> SqliteStore::ListTurns(absl::string_view session_id,
                                                  PageRequest page) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st,
                   reader.Prepare(TURN_SELECT "WHERE session_id = ?1 AND rowid > ?2 "
                                       "ORDER BY rowid LIMIT ?3"));
  st.Bind(1, session_id).Bind(2, page.after).Bind(3, page.limit + 1);
  return ReadPage<Turn>(reader, st, page.limit, /*rowid_col=*/10,
                        [](const Stmt& row) { return ReadTurn(row); });
}

absl::StatusOr<std::vector<Turn>> SqliteStore::TurnsInState(TurnState state) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st,
                   reader.Prepare(TURN_SELECT "WHERE state = ?1 ORDER BY rowid"));
  st.Bind(1, static_cast<int>(state));
  std::vector<Turn> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) out.push_back(ReadTurn(st));
  if (rc != SQLITE_DONE) return reader.Error("turns in state");
  return out;
}
#undef TURN_SELECT

// ---- approvals ------------------------------------------------------------

#define APPROVAL_SELECT                                                  \
  "SELECT approval_id, session_id, turn_id, kind, state, command, cwd, " \
  "reason, diff, item_id, params_json, method, decision, create_us, "    \
  "resolve_us, resolve_request_id, request_event_id, rowid, "            \
  "resolve_request_digest, sub_agent_thread_id, sub_agent_path "         \
  "FROM approvals "

static Approval ReadApproval(const auto& st) {
  Approval a;
  a.approval_id = st.Text(0);
  a.session_id = st.Text(1);
  a.turn_id = st.Text(2);
  a.kind = static_cast<ApprovalKind>(st.Int(3));
  a.state = static_cast<ApprovalState>(st.Int(4));
  a.command = st.Text(5);
  a.cwd = st.Text(6);
  a.reason = st.Text(7);
  a.diff = st.Text(8);
  a.item_id = st.Text(9);
  a.params_json = st.Text(10);
  a.method = st.Text(11);
  a.decision = static_cast<Decision>(st.Int(12));
  a.create_time = FromMicros(st.Int(13));
  a.resolve_time = st.OptTime(14);
  a.resolve_request_id = st.Text(15);
  a.request_event_id = st.Int(16);
  a.resolve_request_digest = st.Text(18);
  a.sub_agent_thread_id = st.Text(19);
  a.sub_agent_path = st.Text(20);
  return a;
}

absl::Status SqliteStore::PutApproval(const Approval& a) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&] { return PutApprovalLocked(a); });
}

absl::Status SqliteStore::PutApprovalLocked(const Approval& a) {
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO approvals (approval_id, session_id, turn_id, kind, "
              "state, command, cwd, reason, diff, item_id, params_json, "
              "method, decision, create_us, resolve_us, resolve_request_id, "
              "request_event_id, resolve_request_digest, sub_agent_thread_id, "
              "sub_agent_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
              "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
              "ON CONFLICT (approval_id) DO UPDATE SET "
              "state = ?5, diff = ?9, decision = ?13, resolve_us = ?15, "
              "resolve_request_id = ?16, request_event_id = ?17, "
              "resolve_request_digest = ?18"));
  st.Bind(1, a.approval_id).Bind(2, a.session_id).Bind(3, a.turn_id);
  st.Bind(4, static_cast<int>(a.kind)).Bind(5, static_cast<int>(a.state));
  st.Bind(6, a.command).Bind(7, a.cwd).Bind(8, a.reason).Bind(9, a.diff);
  st.Bind(10, a.item_id).Bind(11, a.params_json).Bind(12, a.method);
  st.Bind(13, static_cast<int>(a.decision)).Bind(14, ToMicros(a.create_time));
  st.Bind(15, a.resolve_time).Bind(16, a.resolve_request_id);
  st.Bind(17, a.request_event_id).Bind(18, a.resolve_request_digest);
  st.Bind(19, a.sub_agent_thread_id).Bind(20, a.sub_agent_path);
  return StepWrite(st, "put approval");
}

absl::StatusOr<Approval> SqliteStore::GetApproval(absl::string_view id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(APPROVAL_SELECT "WHERE approval_id = ?1"));
  st.Bind(1, id);
  return ReadOne<Approval>(reader, st, "approval", id,
                          [](const Stmt& row) { return ReadApproval(row); });
}

absl::StatusOr<Page<Approval>> SqliteStore::ListApprovals(
    absl::string_view session_id, bool pending_only, PageRequest page) {
  Reader reader(this);
  ASSIGN_OR_RETURN(
      Stmt st,
      // One statement per filter shape, each served by an index
      // (approvals_session, approvals_state, the rowid).
      reader.Prepare(!session_id.empty()
                  ? (pending_only
                         ? APPROVAL_SELECT "WHERE session_id = ?1 AND state = "
                                           "1 AND rowid > ?2 ORDER BY rowid "
                                           "LIMIT ?3"
                         : APPROVAL_SELECT "WHERE session_id = ?1 AND rowid > "
                                           "?2 ORDER BY rowid LIMIT ?3")
                  : (pending_only
                         ? APPROVAL_SELECT "WHERE state = 1 AND rowid > ?2 "
                                           "AND ?1 = '' ORDER BY rowid LIMIT ?3"
                         : APPROVAL_SELECT "WHERE rowid > ?2 AND ?1 = '' "
                                           "ORDER BY rowid LIMIT ?3")));
  st.Bind(1, session_id).Bind(2, page.after).Bind(3, page.limit + 1);
  return ReadPage<Approval>(reader, st, page.limit, /*rowid_col=*/17,
                            [](const Stmt& row) { return ReadApproval(row); });
}
#undef APPROVAL_SELECT

// ---- idempotency keys -----------------------------------------------------

absl::Status SqliteStore::PutRequestKeyLocked(const RequestKey& k) {
  if (k.create_time == absl::InfinitePast()) {
    return absl::InternalError(absl::StrCat("request_id ", k.request_id, " of ",
                                            k.method, " has no time"));
  }
  ASSIGN_OR_RETURN(Stmt st, Prepare("INSERT INTO requests (method, request_id, "
                                    "resource_id, request_digest, create_us) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5)"));
  st.Bind(1, k.method).Bind(2, k.request_id).Bind(3, k.resource_id);
  st.Bind(4, k.request_digest).Bind(5, ToMicros(k.create_time));
  int rc = st.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id ", k.request_id, " already used"));
  }
  if (rc != SQLITE_DONE) return Error("put request id");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RequestKey>> SqliteStore::GetRequestKey(
    absl::string_view method, absl::string_view request_id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st,
                   reader.Prepare("SELECT resource_id, request_digest, "
                                  "create_us FROM requests WHERE method = ?1 "
                                  "AND request_id = ?2"));
  st.Bind(1, method).Bind(2, request_id);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<RequestKey>();
  if (rc != SQLITE_ROW) return reader.Error("get request id");
  return std::optional<RequestKey>(
      RequestKey{std::string(method), std::string(request_id), st.Text(0),
                 st.Text(1), FromMicros(st.Int(2))});
}

// ---- events ---------------------------------------------------------------

absl::Status SqliteStore::AppendEventsLocked(absl::Span<const Event> events) {
  if (events.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO events (event_id, session_id, session_seq, type, "
              "turn_id, create_us, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
              "?7)"));
  for (const Event& e : events) {
    st.Reset();
    st.Bind(1, e.event_id).Bind(2, e.session_id).Bind(3, e.session_seq);
    st.Bind(4, static_cast<int>(e.type)).Bind(5, e.turn_id);
    st.Bind(6, ToMicros(e.create_time));
    st.Bind(7, e.payload.dump(-1, ' ', false,
                              nlohmann::json::error_handler_t::replace));
    if (st.Step() != SQLITE_DONE) {
      return Error(absl::StrCat("append event ", e.event_id));
    }
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::AppendEvents(absl::Span<const Event> events) {
  if (events.empty()) return absl::OkStatus();
  WriteBatch batch;
  batch.events.assign(events.begin(), events.end());
  return Write(batch);
}

absl::StatusOr<int64_t> SqliteStore::SessionSeqAt(Reader& reader,
                                                  absl::string_view session_id,
                                                  int64_t event_id) {
  if (event_id <= 0) return 0;
  {
    // A reader that had the session's events up to its cursor (every page
    // after the first) has one of them as its cursor: one row by its id.
    ASSIGN_OR_RETURN(Stmt st, reader.Prepare("SELECT session_seq FROM events "
                                             "WHERE event_id = ?1 AND "
                                             "session_id = ?2"));
    st.Bind(1, event_id).Bind(2, session_id);
    const int rc = st.Step();
    if (rc == SQLITE_ROW) return st.Int(0);
    if (rc != SQLITE_DONE) return reader.Error("read events: cursor");
  }
  {
    // A cursor before the session's first event (a replay from another
    // stream's cursor).
    ASSIGN_OR_RETURN(Stmt st, reader.Prepare("SELECT event_id FROM events "
                                             "WHERE session_id = ?1 ORDER BY "
                                             "session_seq LIMIT 1"));
    st.Bind(1, session_id);
    const int rc = st.Step();
    if (rc == SQLITE_DONE || (rc == SQLITE_ROW && st.Int(0) > event_id)) {
      return 0;
    }
    if (rc != SQLITE_ROW) return reader.Error("read events: first event");
  }
  // Within the session's events: back from its newest, over the index
  // entries alone, as many as it has after the cursor (what the reader is
  // about to read, unless it reads up to a bound).
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare("SELECT session_seq FROM events "
                                           "WHERE session_id = ?1 AND "
                                           "event_id <= ?2 ORDER BY "
                                           "session_seq DESC LIMIT 1"));
  st.Bind(1, session_id).Bind(2, event_id);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return 0;
  if (rc != SQLITE_ROW) return reader.Error("read events: seq at cursor");
  return st.Int(0);
}

absl::StatusOr<std::vector<Event>> SqliteStore::ReadEvents(
    const EventQuery& q) {
  Reader reader(this);
  // One session's events by the (session_id, session_seq) index from the
  // seq its cursor stands at (event ids and seqs rise together within a
  // session: the writer gives both in order, and --check verifies it);
  // all sessions' by the primary key. A seek either way, never a scan of
  // other sessions' events. (A read that reaches its up_to_event_id
  // bound looks at the index entries of the session's events after it
  // before it ends: the index does not know the bound is a seq's too.)
  int64_t after_seq = 0;
  if (!q.session_id.empty()) {
    ASSIGN_OR_RETURN(after_seq,
                     SessionSeqAt(reader, q.session_id, q.after_event_id));
  }
  ASSIGN_OR_RETURN(
      Stmt st,
      reader.Prepare(
          q.session_id.empty()
              ? "SELECT event_id, session_id, session_seq, type, turn_id, "
                "create_us, payload FROM events WHERE event_id > ?1 AND "
                "event_id <= ?2 AND ?3 = '' ORDER BY event_id LIMIT ?4"
              : "SELECT event_id, session_id, session_seq, type, turn_id, "
                "create_us, payload FROM events WHERE session_id = ?3 AND "
                "session_seq > ?1 AND event_id <= ?2 ORDER BY "
                "session_seq LIMIT ?4"));
  // ?1: where the read starts, an event id or (one session's) a seq.
  st.Bind(1, q.session_id.empty() ? q.after_event_id : after_seq);
  st.Bind(2, q.up_to_event_id == 0 ? std::numeric_limits<int64_t>::max()
                                   : q.up_to_event_id);
  st.Bind(3, q.session_id).Bind(4, q.limit);
  std::vector<Event> out;
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    Event e;
    e.event_id = st.Int(0);
    e.session_id = st.Text(1);
    e.session_seq = st.Int(2);
    e.type = static_cast<EventType>(st.Int(3));
    e.turn_id = st.Text(4);
    e.create_time = FromMicros(st.Int(5));
    e.payload = nlohmann::json::parse(st.Text(6), nullptr,
                                      /*allow_exceptions=*/false);
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_DONE) return reader.Error("read events");
  return out;
}

// The newest event id ever given: the log's, those retention deleted
// (purged_event_id), and those of the database a restore replaced
// (event_id_floor, store/restore.h).
constexpr char kLastEventIdSql[] =
    "SELECT MAX((SELECT COALESCE(MAX(event_id), 0) FROM events), "
    "(SELECT COALESCE(MAX(value), 0) FROM meta WHERE key IN "
    "('purged_event_id', 'event_id_floor')))";

absl::StatusOr<int64_t> SqliteStore::LastEventId() {
  Reader reader(this);
  // Retention may have deleted the newest events: where it deleted
  // through counts too, so no event id is ever given twice.
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(kLastEventIdSql));
  if (st.Step() != SQLITE_ROW) return reader.Error("last event id");
  return st.Int(0);
}

absl::StatusOr<int64_t> SqliteStore::LastSessionSeq(absl::string_view id) {
  Reader reader(this);
  // Retention may have deleted every event of the session: its purged_seq
  // still says where the log ended. A restore may have lost the newest
  // ones: its gap says where the replaced database's ended.
  ASSIGN_OR_RETURN(
      Stmt st, reader.Prepare("SELECT " NEWEST_SEQ(
                   "?1",
                   "(SELECT COALESCE(MAX(purged_seq), 0) FROM sessions WHERE "
                   "session_id = ?1)")));
  st.Bind(1, id);
  if (st.Step() != SQLITE_ROW) return reader.Error("last session seq");
  return st.Int(0);
}

absl::StatusOr<int64_t> SqliteStore::SessionPurgedSeq(absl::string_view id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(
      Stmt st,
      reader.Prepare("SELECT purged_seq FROM sessions WHERE session_id = ?1"));
  st.Bind(1, id);
  return ReadOne<int64_t>(reader, st, "session", id,
                          [](const Stmt& row) { return row.Int(0); });
}

absl::StatusOr<bool> SqliteStore::AnyRowBefore(const char* sql,
                                               int64_t micros,
                                               absl::string_view what) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(sql));
  st.Bind(1, micros);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return false;
  if (rc != SQLITE_ROW) return reader.Error(what);
  return true;
}

namespace {

// The sessions whose events go now.
#define PURGED_NOW                                                        \
  "(SELECT session_id FROM sessions s WHERE s.state = 6 AND s.update_us " \
  "< ?1 AND EXISTS (SELECT 1 FROM events e WHERE e.session_id = "         \
  "s.session_id))"
// Retention's writes once the purged sessions are marked: where the
// global log was cut; the conversation the rows that stay held (prompts
// and replies, what the agent asked to do; their ids, states and times
// stay); the events, last. ?1: the archive time cutoff.
struct PurgeStep {
  const char* sql;
  const char* what;
};
constexpr PurgeStep kPurgeSteps[] = {
    {"INSERT INTO meta (key, value) SELECT 'purged_event_id', "
     "MAX(event_id) FROM events WHERE session_id IN " PURGED_NOW
     " ON CONFLICT (key) DO UPDATE SET value = MAX(value, "
     "excluded.value)",
     "record purged event id"},
    {"UPDATE turns SET prompt = '', final_message = '' WHERE session_id "
     "IN " PURGED_NOW,
     "clear purged turns"},
    {"UPDATE sessions SET preview = '' WHERE session_id IN " PURGED_NOW,
     "clear purged previews"},
    {"UPDATE approvals SET command = '', reason = '', diff = '', "
     "params_json = '{}' WHERE session_id IN " PURGED_NOW,
     "clear purged approvals"},
    {"DELETE FROM events WHERE session_id IN " PURGED_NOW,
     "delete purged events"},
};
#undef PURGED_NOW

}  // namespace

absl::StatusOr<int64_t> SqliteStore::PurgeArchivedEvents(
    absl::Time archived_before) {
  // Most calls find nothing.
  ASSIGN_OR_RETURN(
      const bool any,
      AnyRowBefore("SELECT 1 FROM sessions s WHERE s.state = 6 AND "
                   "s.update_us < ?1 AND EXISTS (SELECT 1 FROM events e "
                   "WHERE e.session_id = s.session_id) LIMIT 1",
                   ToMicros(archived_before), "find purgeable sessions"));
  if (!any) return 0;
  absl::MutexLock lock(&mu_);
  int64_t deleted = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    // What goes: events of sessions archived before the cutoff.
    ASSIGN_OR_RETURN(
        Stmt mark,
        Prepare("UPDATE sessions SET purged_seq = (SELECT MAX(session_seq) "
                "FROM events e WHERE e.session_id = sessions.session_id) "
                "WHERE state = 6 AND update_us < ?1 AND EXISTS (SELECT 1 FROM "
                "events e WHERE e.session_id = sessions.session_id)"));
    mark.Bind(1, ToMicros(archived_before));
    RETURN_IF_ERROR(StepWrite(mark, "mark purged sessions"));
    if (sqlite3_changes(db_) == 0) return absl::OkStatus();
    for (const PurgeStep& step : kPurgeSteps) {
      ASSIGN_OR_RETURN(Stmt st, Prepare(step.sql));
      st.Bind(1, ToMicros(archived_before));
      RETURN_IF_ERROR(StepWrite(st, step.what));
    }
    deleted = sqlite3_changes(db_);  // the last step's
    return absl::OkStatus();
  }));
  return deleted;
}

absl::StatusOr<int64_t> SqliteStore::PurgedThroughEventId() {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st,
                   reader.Prepare("SELECT COALESCE(MAX(value), 0) FROM meta "
                                  "WHERE key = 'purged_event_id'"));
  if (st.Step() != SQLITE_ROW) return reader.Error("purged event id");
  return st.Int(0);
}

absl::StatusOr<int64_t> SqliteStore::EventIdOf(absl::string_view session_id,
                                               int64_t session_seq) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare("SELECT event_id FROM events WHERE "
                                    "session_id = ?1 AND session_seq = ?2"));
  st.Bind(1, session_id).Bind(2, session_seq);
  if (st.Step() != SQLITE_ROW) {
    return absl::NotFoundError(absl::StrCat(
        "event ", session_seq, " of session ", session_id, " not found"));
  }
  return st.Int(0);
}

absl::StatusOr<RestoreGap> SqliteStore::RestoreGapOf(
    absl::string_view session_id, int64_t session_seq) {
  Reader reader(this);
  ASSIGN_OR_RETURN(
      Stmt st,
      reader.Prepare(
          "SELECT g.after_seq, g.through_seq, g.restore_us, COALESCE((SELECT "
          "e.event_id FROM events e WHERE e.session_id = g.session_id AND "
          "e.session_seq <= g.after_seq ORDER BY e.session_seq DESC LIMIT 1), "
          "0) FROM restore_gaps g WHERE g.session_id = ?1 AND g.after_seq < "
          "?2 AND ?2 <= g.through_seq"));
  st.Bind(1, session_id).Bind(2, session_seq);
  return ReadOne<RestoreGap>(
      reader, st, "restore gap at session_seq",
      absl::StrCat(session_seq, " of session ", session_id),
      [](const Stmt& row) {
        RestoreGap gap;
        gap.after_seq = row.Int(0);
        gap.through_seq = row.Int(1);
        gap.restore_time = FromMicros(row.Int(2));
        gap.after_event_id = row.Int(3);
        return gap;
      });
}

// ---- tokens -----------------------------------------------------------------

#define TOKEN_SELECT                                                     \
  "SELECT token_id, name, role, secret_sha256, create_us, expire_us, "  \
  "last_used_us, revoke_us, bootstrap, rowid FROM tokens "

static TokenRecord ReadToken(const auto& st) {
  TokenRecord t;
  t.token_id = st.Text(0);
  t.name = st.Text(1);
  t.role = static_cast<Role>(st.Int(2));
  t.secret_sha256 = st.Text(3);
  t.create_time = FromMicros(st.Int(4));
  t.expire_time = st.OptTime(5);
  t.last_used_time = st.OptTime(6);
  t.revoke_time = st.OptTime(7);
  t.bootstrap = st.Int(8) != 0;
  return t;
}

absl::Status SqliteStore::PutTokenLocked(const TokenRecord& t) {
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO tokens (token_id, name, role, secret_sha256, "
              "create_us, expire_us, last_used_us, revoke_us, bootstrap) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT "
              "(token_id) DO UPDATE SET name = ?2, role = ?3, expire_us = ?6, "
              "last_used_us = ?7, revoke_us = ?8, bootstrap = ?9"));
  st.Bind(1, t.token_id).Bind(2, t.name).Bind(3, static_cast<int>(t.role));
  st.Bind(4, t.secret_sha256).Bind(5, ToMicros(t.create_time));
  st.Bind(6, t.expire_time).Bind(7, t.last_used_time).Bind(8, t.revoke_time);
  st.Bind(9, t.bootstrap ? 1 : 0);
  return StepWrite(st, "put token");
}

absl::StatusOr<TokenRecord> SqliteStore::GetToken(absl::string_view id) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(TOKEN_SELECT "WHERE token_id = ?1"));
  st.Bind(1, id);
  return ReadOne<TokenRecord>(reader, st, "token", id,
                          [](const Stmt& row) { return ReadToken(row); });
}

absl::StatusOr<std::optional<TokenRecord>> SqliteStore::FindTokenByHash(
    absl::string_view secret_sha256) {
  Reader reader(this);
  ASSIGN_OR_RETURN(Stmt st, reader.Prepare(TOKEN_SELECT "WHERE secret_sha256 = ?1"));
  st.Bind(1, secret_sha256);
  int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<TokenRecord>();
  if (rc != SQLITE_ROW) return reader.Error("find token");
  return std::optional<TokenRecord>(ReadToken(st));
}

absl::StatusOr<Page<TokenRecord>> SqliteStore::ListTokens(bool include_revoked,
                                                          PageRequest page) {
  Reader reader(this);
  ASSIGN_OR_RETURN(
      Stmt st, reader.Prepare(include_revoked
                           ? TOKEN_SELECT "WHERE rowid > ?1 ORDER BY rowid "
                                          "LIMIT ?2"
                           : TOKEN_SELECT "WHERE rowid > ?1 AND revoke_us IS "
                                          "NULL ORDER BY rowid LIMIT ?2"));
  st.Bind(1, page.after).Bind(2, page.limit + 1);
  return ReadPage<TokenRecord>(reader, st, page.limit, /*rowid_col=*/9,
                               [](const Stmt& row) { return ReadToken(row); });
}
#undef TOKEN_SELECT

absl::Status SqliteStore::TouchToken(absl::string_view token_id,
                                     absl::Time when) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Stmt st, Prepare("UPDATE tokens SET last_used_us = ?2 "
                                      "WHERE token_id = ?1"));
    st.Bind(1, token_id).Bind(2, ToMicros(when));
    return StepWrite(st, "touch token");
  });
}

// ---- audit ------------------------------------------------------------------

absl::Status SqliteStore::AppendAuditLocked(const AuditRecord& r) {
  ASSIGN_OR_RETURN(
      Stmt st,
      Prepare("INSERT INTO audit_log (time_us, token_id, token_name, role, "
              "peer, request_id, method, resource_id, code, message) VALUES "
              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  st.Bind(1, ToMicros(r.time)).Bind(2, r.caller.token_id);
  st.Bind(3, r.caller.token_name).Bind(4, static_cast<int>(r.caller.role));
  st.Bind(5, r.caller.peer).Bind(6, r.caller.request_id);
  st.Bind(7, r.caller.method).Bind(8, r.resource_id).Bind(9, r.code);
  st.Bind(10, r.message);
  return StepWrite(st, "append audit");
}

absl::Status SqliteStore::AppendAudit(const AuditRecord& record) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&] { return AppendAuditLocked(record); });
}

absl::Status SqliteStore::AppendDelivery(const DeliveryRecord& r, int keep) {
  absl::MutexLock lock(&mu_);
  return InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        Stmt st,
        Prepare("INSERT INTO notification_deliveries (delivery_id, attempt, "
                "time_us, target, host, event, event_id, session_id, "
                "http_status, error, duration_us) VALUES (?1, ?2, ?3, ?4, ?5, "
                "?6, ?7, ?8, ?9, ?10, ?11)"));
    st.Bind(1, r.delivery_id).Bind(2, r.attempt).Bind(3, ToMicros(r.time));
    st.Bind(4, r.target).Bind(5, r.host).Bind(6, r.event);
    st.Bind(7, r.event_id).Bind(8, r.session_id).Bind(9, r.http_status);
    st.Bind(10, r.error).Bind(11, absl::ToInt64Microseconds(r.duration));
    RETURN_IF_ERROR(StepWrite(st, "append delivery"));
    ASSIGN_OR_RETURN(
        Stmt trim,
        Prepare("DELETE FROM notification_deliveries WHERE rowid <= "
                "last_insert_rowid() - ?1"));
    trim.Bind(1, keep);
    return StepWrite(trim, "trim deliveries");
  });
}

absl::StatusOr<Page<AuditRecord>> SqliteStore::ListAudit(const AuditQuery& q,
                                                         PageRequest page) {
  Reader reader(this);
  // Newest first, keyset by audit_id; a token or method filter seeks its
  // index (audit_log_token, audit_log_method), the time range is checked on
  // the way.
#define AUDIT_SELECT                                                        \
  "SELECT audit_id, time_us, token_id, token_name, role, peer, "            \
  "request_id, method, resource_id, code, message FROM audit_log WHERE "    \
  "audit_id < ?1 AND time_us >= ?4 AND time_us < ?5 AND "
  ASSIGN_OR_RETURN(
      Stmt st,
      reader.Prepare(!q.token_id.empty()
                  ? (!q.method.empty()
                         ? AUDIT_SELECT "token_id = ?2 AND method = ?3 "
                                        "ORDER BY audit_id DESC LIMIT ?6"
                         : AUDIT_SELECT "token_id = ?2 AND ?3 = '' "
                                        "ORDER BY audit_id DESC LIMIT ?6")
                  : (!q.method.empty()
                         ? AUDIT_SELECT "method = ?3 AND ?2 = '' "
                                        "ORDER BY audit_id DESC LIMIT ?6"
                         : AUDIT_SELECT "?2 = '' AND ?3 = '' "
                                        "ORDER BY audit_id DESC LIMIT ?6")));
#undef AUDIT_SELECT
  st.Bind(1, page.after == 0 ? std::numeric_limits<int64_t>::max()
                             : page.after);
  st.Bind(2, q.token_id).Bind(3, q.method);
  st.Bind(4, q.start_time ? ToMicros(*q.start_time)
                          : std::numeric_limits<int64_t>::min());
  st.Bind(5, q.end_time ? ToMicros(*q.end_time)
                        : std::numeric_limits<int64_t>::max());
  st.Bind(6, page.limit + 1);
  return ReadPage<AuditRecord>(reader, st, page.limit, /*rowid_col=*/0,
                               [](const Stmt& row) {
                                 AuditRecord r;
                                 r.audit_id = row.Int(0);
                                 r.time = FromMicros(row.Int(1));
                                 r.caller.token_id = row.Text(2);
                                 r.caller.token_name = row.Text(3);
                                 r.caller.role = static_cast<Role>(row.Int(4));
                                 r.caller.peer = row.Text(5);
                                 r.caller.request_id = row.Text(6);
                                 r.caller.method = row.Text(7);
                                 r.resource_id = row.Text(8);
                                 r.code = static_cast<int>(row.Int(9));
                                 r.message = row.Text(10);
                                 return r;
                               });
}

absl::StatusOr<int64_t> SqliteStore::DeleteOldest(
    const OldRows& rows, absl::Time before, int64_t limit,
    const std::function<absl::Status(int64_t deleted)>& then) {
  // Most calls find nothing.
  ASSIGN_OR_RETURN(const bool any,
                   AnyRowBefore(rows.find_sql, ToMicros(before), rows.find));
  if (!any) return 0;
  absl::MutexLock lock(&mu_);
  int64_t deleted = 0;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Stmt del, Prepare(rows.delete_sql));
    del.Bind(1, ToMicros(before)).Bind(2, limit);
    RETURN_IF_ERROR(StepWrite(del, rows.remove));
    deleted = sqlite3_changes(db_);
    return deleted == 0 || !then ? absl::OkStatus() : then(deleted);
  }));
  return deleted;
}

absl::StatusOr<int64_t> SqliteStore::PurgeRequestKeys(absl::Time before,
                                                      int64_t limit) {
  static constexpr OldRows kKeys = {
      "SELECT 1 FROM requests WHERE create_us < ?1 LIMIT 1",
      "DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE "
      "create_us < ?1 ORDER BY create_us LIMIT ?2)",
      "find old idempotency keys", "delete old idempotency keys"};
  return DeleteOldest(kKeys, before, limit, nullptr);
}

absl::StatusOr<int64_t> SqliteStore::PurgeAudit(absl::Time before,
                                                int64_t limit,
                                                const AuditRecord& note) {
  static constexpr OldRows kAudit = {
      "SELECT 1 FROM audit_log WHERE time_us < ?1 LIMIT 1",
      "DELETE FROM audit_log WHERE audit_id IN (SELECT audit_id FROM "
      "audit_log WHERE time_us < ?1 ORDER BY time_us LIMIT ?2)",
      "find old audit records", "delete old audit records"};
  // The log says what retention took, in the same transaction.
  return DeleteOldest(kAudit, before, limit, [&](int64_t deleted) {
    AuditRecord record = note;
    absl::StrAppend(
        &record.message, "deleted ", deleted,
        deleted == 1 ? " audit record" : " audit records", " made before ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", before, absl::UTCTimeZone()));
    return AppendAuditLocked(record);
  });
}

StoreStats SqliteStore::Stats() {
  absl::MutexLock lock(&mu_);
  return stats_;
}

// ---- copy ----------------------------------------------------------------

absl::StatusOr<StoreCopy> SqliteStore::Describe(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  absl::Cleanup close = [db] { sqlite3_close(db); };
  if (rc != SQLITE_OK) return StatusOf(rc, absl::StrCat("open ", path));
  sqlite3_stmt* raw = nullptr;
  rc = sqlite3_prepare_v2(
      db,
      absl::StrCat("SELECT (SELECT COUNT(*) FROM sessions), (", kLastEventIdSql,
                   ")")
          .c_str(),
      -1, &raw, nullptr);
  absl::Cleanup finalize = [raw] { sqlite3_finalize(raw); };
  if (rc != SQLITE_OK || sqlite3_step(raw) != SQLITE_ROW) {
    return StatusOf(sqlite3_extended_errcode(db),
                    absl::StrCat("read ", path, ": ", sqlite3_errmsg(db)));
  }
  StoreCopy out;
  out.sessions = sqlite3_column_int64(raw, 0);
  out.last_event_id = sqlite3_column_int64(raw, 1);
  return out;
}

absl::StatusOr<SqliteStore::Replaced> SqliteStore::DescribeReplaced(
    const std::string& path) {
  ASSIGN_OR_RETURN(const StoreCopy copy, Describe(path));
  Replaced out;
  out.last_event_id = copy.last_event_id;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  absl::Cleanup close = [db] { sqlite3_close(db); };
  if (rc != SQLITE_OK) return StatusOf(rc, absl::StrCat("open ", path));
  // Runs `sql`, calling `row` with each row's statement.
  auto each = [&](const std::string& sql, auto row) -> absl::Status {
    sqlite3_stmt* st = nullptr;
    absl::Cleanup finalize = [&st] { sqlite3_finalize(st); };
    int step = sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    if (step == SQLITE_OK) {
      while ((step = sqlite3_step(st)) == SQLITE_ROW) row(st);
    }
    if (step != SQLITE_DONE) {
      return StatusOf(sqlite3_extended_errcode(db),
                      absl::StrCat("read ", path, ": ", sqlite3_errmsg(db)));
    }
    return absl::OkStatus();
  };
  auto text = [](sqlite3_stmt* st, int col) {
    const unsigned char* p = sqlite3_column_text(st, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      sqlite3_column_bytes(st, col));
  };
  // An older server's file lacks what later versions record.
  int64_t version = 0;
  RETURN_IF_ERROR(each("PRAGMA user_version", [&](sqlite3_stmt* st) {
    version = sqlite3_column_int64(st, 0);
  }));
  std::string sql =
      "SELECT session_id, MAX(seq) FROM (SELECT session_id, MAX(session_seq) "
      "AS seq FROM events GROUP BY session_id";
  if (version >= 4) {
    absl::StrAppend(&sql,
                    " UNION ALL SELECT session_id, purged_seq FROM "
                    "sessions");
  }
  if (version >= 14) {
    absl::StrAppend(&sql,
                    " UNION ALL SELECT session_id, MAX(through_seq) "
                    "FROM restore_gaps GROUP BY session_id");
  }
  absl::StrAppend(&sql, ") GROUP BY session_id");
  RETURN_IF_ERROR(each(sql, [&](sqlite3_stmt* st) {
    out.session_seqs[text(st, 0)] = sqlite3_column_int64(st, 1);
  }));
  if (version >= 2) {
    RETURN_IF_ERROR(each(
        "SELECT token_id, revoke_us FROM tokens WHERE revoke_us IS NOT NULL",
        [&](sqlite3_stmt* st) {
          out.revocations[text(st, 0)] =
              FromMicros(sqlite3_column_int64(st, 1));
        }));
  }
  return out;
}

absl::StatusOr<SqliteStore::RestoreRecorded> SqliteStore::RecordRestore(
    int64_t event_id_floor, const Replaced& replaced, absl::Time now,
    absl::FunctionRef<AuditRecord(const RestoreRecorded&)> audit) {
  absl::MutexLock lock(&mu_);
  RestoreRecorded out;
  RETURN_IF_ERROR(InTransaction([&]() -> absl::Status {
    if (event_id_floor > 0) {
      ASSIGN_OR_RETURN(
          Stmt floor,
          Prepare("INSERT INTO meta (key, value) VALUES ('event_id_floor', "
                  "?1) ON CONFLICT (key) DO UPDATE SET value = MAX(value, "
                  "excluded.value)"));
      floor.Bind(1, event_id_floor);
      RETURN_IF_ERROR(StepWrite(floor, "record the event id floor"));
    }
    // A gap only where `replaced` got further than this database.
    // clang-format off
    static constexpr char kGap[] =
        "INSERT INTO restore_gaps (session_id, after_seq, through_seq, "
        "restore_us) SELECT session_id, newest, ?2, ?3 FROM (SELECT "
        "s.session_id, " NEWEST_SEQ("s.session_id", "s.purged_seq") " AS "
        "newest FROM sessions s WHERE s.session_id = ?1) WHERE newest < ?2";
    // clang-format on
    ASSIGN_OR_RETURN(Stmt gap, Prepare(kGap));
    for (const auto& [session_id, seq] : replaced.session_seqs) {
      gap.Bind(1, session_id).Bind(2, seq).Bind(3, ToMicros(now));
      RETURN_IF_ERROR(StepWrite(gap, "record a restore gap"));
      out.seq_gaps += sqlite3_changes(db_);
      gap.Reset();
    }
    ASSIGN_OR_RETURN(Stmt revoke,
                     Prepare("UPDATE tokens SET revoke_us = ?2 WHERE "
                             "token_id = ?1 AND revoke_us IS NULL"));
    for (const auto& [token_id, when] : replaced.revocations) {
      revoke.Bind(1, token_id).Bind(2, ToMicros(when));
      RETURN_IF_ERROR(StepWrite(revoke, "keep a revocation"));
      out.revocations_kept += sqlite3_changes(db_);
      revoke.Reset();
    }
    return AppendAuditLocked(audit(out));
  }));
  return out;
}

absl::StatusOr<StoreCopy> SqliteStore::CopyTo(const std::string& path) {
  // VACUUM INTO refuses an existing file too, but its error would not say
  // that the file is someone else's, not to be removed.
  if (::access(path.c_str(), F_OK) == 0) {
    return absl::InternalError(
        absl::StrCat("sqlite: copy: ", path, " exists already"));
  }
  absl::StatusOr<StoreCopy> copy = [&]() -> absl::StatusOr<StoreCopy> {
    {
      Reader reader(this);
      // The copy has small pages whatever this database has: restoring
      // it converts a database made before they came (operations.md).
      ASSIGN_OR_RETURN(Stmt pages, reader.Prepare(kSmallPages));
      if (pages.Step() != SQLITE_DONE) return reader.Error("copy: page size");
      ASSIGN_OR_RETURN(Stmt vacuum, reader.Prepare("VACUUM INTO ?1"));
      vacuum.Bind(1, path);
      if (vacuum.Step() != SQLITE_DONE) return reader.Error("copy");
    }
    return Describe(path);  // read from the copy itself
  }();
  if (!copy.ok()) ::unlink(path.c_str());
  return copy;
}

// ---- invariants -----------------------------------------------------------

absl::StatusOr<std::vector<std::string>> SqliteStore::CheckInvariants() {
  Reader reader(this);
  // Each query returns one text column per violation. Event types and
  // states are the numbers of core/types.h (and the protos).
  struct Check {
    const char* what;
    const char* sql;
  };
  static constexpr Check kChecks[] = {
      {"integrity", "PRAGMA integrity_check"},
      // Gapless but for what restores lost (restore_gaps, below their
      // newest event; one after them is a violation of its own): the
      // seqs are unique, so as many as there are numbers left means each.
      {"session_seq not gapless from 1",
       "SELECT e.session_id || ': ' || COUNT(*) || ' events, seq ' || "
       "MIN(e.session_seq) || '..' || MAX(e.session_seq) FROM events e GROUP "
       "BY e.session_id HAVING MIN(e.session_seq) < 1 OR MAX(e.session_seq) "
       "!= COUNT(*) + (SELECT COALESCE(SUM(g.through_seq - g.after_seq), 0) "
       "FROM restore_gaps g WHERE g.session_id = e.session_id AND "
       "g.through_seq < MAX(e.session_seq))"},
      // Replays seek a session's events by seq from the seq at their cursor
      // (SessionSeqAt): in each session, ids and seqs rise together.
      {"session_seq not in event_id order",
       "SELECT 'event ' || event_id || ' is seq ' || session_seq || ' of ' "
       "|| session_id || ', before event ' || previous || ' with a lower "
       "seq' FROM (SELECT event_id, session_id, session_seq, LAG(event_id) "
       "OVER (PARTITION BY session_id ORDER BY session_seq) AS previous FROM "
       "events) WHERE previous > event_id"},
      {"event in a restore gap",
       "SELECT 'event ' || e.event_id || ' is seq ' || e.session_seq || ' of "
       "' || e.session_id || ', which a restore lost (seqs ' || "
       "(g.after_seq + 1) || '..' || g.through_seq || ')' FROM restore_gaps "
       "g JOIN events e ON "
       "e.session_id = g.session_id AND e.session_seq > g.after_seq AND "
       "e.session_seq <= g.through_seq"},
      // Below, sessions whose events retention deleted (purged_seq > 0)
      // keep their rows without events.
      {"session row without its last SESSION_STATE_CHANGED",
       "SELECT s.session_id || ' is in state ' || s.state || ', its last "
       "event says ' || IFNULL((SELECT json_extract(e.payload, '$.state') "
       "FROM events e WHERE e.session_id = s.session_id AND e.type = 1 ORDER "
       "BY e.session_seq DESC LIMIT 1), 'nothing') FROM sessions s WHERE "
       "(SELECT json_extract(e.payload, '$.state') FROM events e WHERE "
       "e.session_id = s.session_id AND e.type = 1 ORDER BY e.session_seq "
       "DESC LIMIT 1) IS NOT s.state AND s.purged_seq = 0"},
      {"turn row without its last TURN_STATE_CHANGED",
       "SELECT t.turn_id || ' is in state ' || t.state || ', its last event "
       "says ' || IFNULL((SELECT json_extract(e.payload, '$.state') FROM "
       "events e WHERE e.session_id = t.session_id AND e.type = 2 AND "
       "e.turn_id = t.turn_id ORDER BY e.session_seq DESC LIMIT 1), "
       "'nothing') FROM turns t WHERE (SELECT json_extract(e.payload, "
       "'$.state') FROM events e WHERE e.session_id = t.session_id AND "
       "e.type = 2 AND e.turn_id = t.turn_id ORDER BY e.session_seq DESC "
       "LIMIT 1) IS NOT t.state AND NOT EXISTS (SELECT 1 FROM sessions s "
       "WHERE s.session_id = t.session_id AND s.purged_seq > 0)"},
      {"TURN_STATE_CHANGED without its turn row",
       "SELECT 'event ' || e.event_id || ' names turn ' || e.turn_id FROM "
       "events e WHERE e.type = 2 AND NOT EXISTS (SELECT 1 FROM turns t "
       "WHERE t.turn_id = e.turn_id)"},
      {"approval without its APPROVAL_REQUESTED",
       "SELECT a.approval_id FROM approvals a WHERE NOT EXISTS (SELECT 1 "
       "FROM events e WHERE e.event_id = a.request_event_id AND e.type = 8 "
       "AND json_extract(e.payload, '$.approval.approval_id') = "
       "a.approval_id) AND NOT EXISTS (SELECT 1 FROM sessions s WHERE "
       "s.session_id = a.session_id AND s.purged_seq > 0)"},
      {"decided approval without its APPROVAL_RESOLVED",
       "SELECT a.approval_id || ' is in state ' || a.state FROM approvals a "
       "WHERE a.state != 1 AND NOT EXISTS (SELECT 1 FROM events e WHERE "
       "e.session_id = a.session_id AND e.type = 9 AND "
       "json_extract(e.payload, '$.approval_id') = a.approval_id AND "
       "json_extract(e.payload, '$.state') = a.state) AND NOT EXISTS "
       "(SELECT 1 FROM sessions s WHERE s.session_id = a.session_id AND "
       "s.purged_seq > 0)"},
      {"APPROVAL_REQUESTED without its approval row",
       "SELECT 'event ' || e.event_id FROM events e WHERE e.type = 8 AND NOT "
       "EXISTS (SELECT 1 FROM approvals a WHERE a.approval_id = "
       "json_extract(e.payload, '$.approval.approval_id'))"},
      {"reverted turn without its SESSION_REVERTED",
       "SELECT t.turn_id FROM turns t WHERE t.revert_us IS NOT NULL AND NOT "
       "EXISTS (SELECT 1 FROM events e, json_each(e.payload, "
       "'$.reverted_turn_ids') j WHERE e.session_id = t.session_id AND "
       "e.type = 25 AND j.value = t.turn_id) AND NOT EXISTS (SELECT 1 FROM "
       "sessions s WHERE s.session_id = t.session_id AND s.purged_seq > 0)"},
      {"SESSION_REVERTED naming a turn not reverted",
       "SELECT 'event ' || e.event_id || ' names turn ' || j.value FROM "
       "events e, json_each(e.payload, '$.reverted_turn_ids') j WHERE "
       "e.type = 25 AND NOT EXISTS (SELECT 1 FROM turns t WHERE t.turn_id = "
       "j.value AND t.revert_us IS NOT NULL)"},
  };
  std::vector<std::string> out;
  for (const Check& check : kChecks) {
    ASSIGN_OR_RETURN(Stmt st, reader.Prepare(check.sql));
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) {
      const std::string row = st.Text(0);
      if (std::string_view(check.what) == "integrity" && row == "ok") continue;
      out.push_back(absl::StrCat(check.what, ": ", row));
    }
    if (rc != SQLITE_DONE) return reader.Error(absl::StrCat("check ", check.what));
  }
  return out;
}

}  // namespace codex_manager
