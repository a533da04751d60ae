// SqliteStore: the embedded Store on SQLite in WAL mode.
//
// Writes go through one connection guarded by a mutex. Reads of a database
// file use a small pool of read-only connections (WAL lets them read a
// committed snapshot while the writer commits), so a catch-up reader never
// holds up a commit; ":memory:" has one connection for both. Prepared
// statements are cached per SQL text and connection, one per query shape
// (no "? = '' OR col = ?" disjunctions), each served by an index. Schema
// migrations run at Open, keyed by `PRAGMA user_version`.
//
// Thread safety: safe for concurrent use without external synchronization.
#ifndef CODEX_MANAGER_SERVER_STORE_SQLITE_STORE_H_
#define CODEX_MANAGER_SERVER_STORE_SQLITE_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "core/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace codex_manager {

class WalCheckpointer;

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database at `path` — ":memory:" for a
  // private in-memory database — and migrates its schema to the newest
  // version. INTERNAL with SQLite's message on failure;
  // FAILED_PRECONDITION when the file was written by a newer version.
  // `read_connections`: how many read-only connections a file database
  // gets (reads wait when all are in use).
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(
      const std::string& path, int read_connections = 4);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The schema version this build writes (`PRAGMA user_version`).
  static constexpr int kSchemaVersion = 23;

  absl::Status WriteAll(absl::Span<const WriteBatch* const> batches) override;
  using Store::Write;
  absl::StatusOr<Session> GetSession(absl::string_view session_id) override;
  absl::StatusOr<Page<Session>> ListSessions(const SessionQuery& query,
                                             PageRequest page) override;
  absl::StatusOr<std::vector<Session>> SessionsOfThread(
      absl::string_view thread_id) override;
  absl::StatusOr<std::vector<Session>> SessionsInState(
      SessionState state) override;
  absl::StatusOr<Turn> GetTurn(absl::string_view turn_id) override;
  absl::StatusOr<Page<Turn>> ListTurns(absl::string_view session_id,
                                       PageRequest page) override;
  absl::StatusOr<std::vector<Turn>> TurnsInState(TurnState state) override;
  absl::StatusOr<Approval> GetApproval(absl::string_view approval_id) override;
  absl::StatusOr<Page<Approval>> ListApprovals(absl::string_view session_id,
                                               bool pending_only,
                                               PageRequest page) override;
  absl::StatusOr<std::optional<RequestKey>> GetRequestKey(
      absl::string_view method, absl::string_view request_id) override;
  absl::StatusOr<std::vector<Event>> ReadEvents(
      const EventQuery& query) override;
  absl::StatusOr<int64_t> LastEventId() override;
  absl::StatusOr<int64_t> LastSessionSeq(absl::string_view session_id) override;
  absl::StatusOr<int64_t> SessionPurgedSeq(
      absl::string_view session_id) override;
  absl::StatusOr<int64_t> PurgeArchivedEvents(
      absl::Time archived_before) override;
  absl::StatusOr<int64_t> PurgedThroughEventId() override;
  absl::StatusOr<int64_t> EventIdOf(absl::string_view session_id,
                                    int64_t session_seq) override;
  absl::StatusOr<RestoreGap> RestoreGapOf(absl::string_view session_id,
                                          int64_t session_seq) override;
  absl::StatusOr<TokenRecord> GetToken(absl::string_view token_id) override;
  absl::StatusOr<std::optional<TokenRecord>> FindTokenByHash(
      absl::string_view secret_sha256) override;
  absl::StatusOr<Page<TokenRecord>> ListTokens(bool include_revoked,
                                               PageRequest page) override;
  absl::Status TouchToken(absl::string_view token_id, absl::Time when) override;
  absl::Status AppendAudit(const AuditRecord& record) override;
  absl::Status AppendDelivery(const DeliveryRecord& record, int keep) override;
  absl::StatusOr<Page<AuditRecord>> ListAudit(const AuditQuery& query,
                                              PageRequest page) override;
  absl::StatusOr<int64_t> PurgeAudit(absl::Time before, int64_t limit,
                                     const AuditRecord& note) override;
  absl::StatusOr<int64_t> PurgeRequestKeys(absl::Time before,
                                           int64_t limit) override;
  StoreStats Stats() override;
  absl::StatusOr<StoreCopy> CopyTo(const std::string& path) override;
  // What the database file at `path` holds (sessions, and the newest
  // event_id ever given, as LastEventId), read without changing it;
  // INTERNAL when it has no such tables.
  static absl::StatusOr<StoreCopy> Describe(const std::string& path);
  // What a restore must not forget of the database file at `path` it
  // replaces (store/restore.h), read without changing it; INTERNAL (or
  // UNAVAILABLE) when it cannot be read.
  struct Replaced {
    // The newest event_id ever given (as LastEventId).
    int64_t last_event_id = 0;
    // By session_id: the newest session_seq given (as LastSessionSeq).
    std::map<std::string, int64_t> session_seqs;
    // By token_id: when each revoked token was revoked.
    std::map<std::string, absl::Time> revocations;
  };
  static absl::StatusOr<Replaced> DescribeReplaced(const std::string& path);
  // What RecordRestore wrote.
  struct RestoreRecorded {
    // Sessions that got a RestoreGap (core/store.h).
    int64_t seq_gaps = 0;
    // Revocations of `replaced` this database did not have.
    int64_t revocations_kept = 0;
  };
  // For --restore, on the checked copy of a backup about to take
  // `replaced`'s place (store/restore.h), in one transaction: the event id
  // floor (meta event_id_floor, which LastEventId counts; 0: none); for
  // each session of both whose newest seq in `replaced` is past its newest
  // here, a RestoreGap over the seqs between (which LastSessionSeq counts),
  // made at `now`; `replaced`'s revocations; and the audit record `audit`
  // makes of what was written. UNAVAILABLE or INTERNAL (nothing written)
  // when a write fails.
  absl::StatusOr<RestoreRecorded> RecordRestore(
      int64_t event_id_floor, const Replaced& replaced, absl::Time now,
      absl::FunctionRef<AuditRecord(const RestoreRecorded&)> audit);
  absl::StatusOr<std::vector<std::string>> CheckInvariants() override;

  // Direct single-row writes, for tests and tools that build a store's
  // contents (not on the Store interface: the server writes only through
  // EventLog, so a row never lands without its event).
  absl::Status PutSession(const Session& session);
  absl::Status PutTurn(const Turn& turn);
  absl::Status PutApproval(const Approval& approval);
  absl::Status AppendEvents(absl::Span<const Event> events);

 private:
  class Stmt;
  // A connection for reads, with its own statement cache.
  struct ReadConnection {
    sqlite3* db = nullptr;
    std::unordered_map<const char*, sqlite3_stmt*> cache;
  };
  // A read lease (sqlite_store.cc): a pooled read-only connection, or the
  // writer's connection under mu_ when there is no pool.
  class Reader;
  explicit SqliteStore(sqlite3* db);

  absl::Status Migrate() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Exec(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `sql` (a statement with no rows, e.g. COMMIT) from the statement
  // cache, reset again before it returns; errors name `what`.
  absl::Status ExecCached(const char* sql, absl::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns the cached prepared statement for `sql`, reset and unbound.
  absl::StatusOr<Stmt> Prepare(const char* sql)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Error(absl::string_view what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `sql` (a query with one parameter, ?1 = `micros`) has a row,
  // asked on a read connection: retention's cheap check before it takes
  // the write lock. Errors name `what`.
  absl::StatusOr<bool> AnyRowBefore(const char* sql, int64_t micros,
                                    absl::string_view what)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Retention of one table: `find_sql` (?1 a time in µs) tells whether any
  // row is older; `delete_sql` (?1 that time, ?2 a limit) deletes the
  // oldest. Errors name `find` and `remove`.
  struct OldRows {
    const char* find_sql;
    const char* delete_sql;
    const char* find;
    const char* remove;
  };
  // Deletes up to `limit` of `rows` older than `before` in one
  // transaction, with `then(deleted)` (when set and any went) in it too.
  // Returns how many went.
  absl::StatusOr<int64_t> DeleteOldest(
      const OldRows& rows, absl::Time before, int64_t limit,
      const std::function<absl::Status(int64_t deleted)>& then)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Steps `st` for the row of `kind` `id` and turns it into T by `read`;
  // NOT_FOUND "<kind> <id> not found" when there is none.
  template <typename T, typename ReadFn>
  static absl::StatusOr<T> ReadOne(const Reader& reader, Stmt& st,
                                   absl::string_view kind,
                                   absl::string_view id, ReadFn read);
  // Steps `st` for one page: up to `limit` rows turned into T by `read`;
  // `next` is set from column `rowid_col` when a further row exists (the
  // query must ask for limit + 1 rows).
  template <typename T, typename ReadFn>
  static absl::StatusOr<Page<T>> ReadPage(const Reader& reader, Stmt& st,
                                          int limit, int rowid_col,
                                          ReadFn read);
  // The session_seq of `session_id`'s newest event with an event_id at
  // most `event_id` (0 when it has none): where a read of the session's
  // events after that id starts in the (session_id, session_seq) index.
  static absl::StatusOr<int64_t> SessionSeqAt(Reader& reader,
                                              absl::string_view session_id,
                                              int64_t event_id);
  // Steps a write statement to completion (inside a transaction).
  absl::Status StepWrite(Stmt& stmt, absl::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT; rolls back on error.
  template <typename Fn>
  absl::Status InTransaction(Fn body) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The row writes of a batch, inside a transaction.
  absl::Status PutSessionLocked(const Session& s)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutTurnLocked(const Turn& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutApprovalLocked(const Approval& a)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutTokenLocked(const TokenRecord& t)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutRequestKeyLocked(const RequestKey& k)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendAuditLocked(const AuditRecord& r)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendEventsLocked(absl::Span<const Event> events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  sqlite3* const db_;
  std::unordered_map<const char*, sqlite3_stmt*> cache_ ABSL_GUARDED_BY(mu_);
  StoreStats stats_ ABSL_GUARDED_BY(mu_);
  // The read pool (set up at Open, before any other thread sees the store).
  bool pooled_ = false;
  std::vector<std::unique_ptr<ReadConnection>> readers_;
  absl::Mutex pool_mu_;
  std::vector<ReadConnection*> idle_ ABSL_GUARDED_BY(pool_mu_);
  // A file database's checkpoints, off the writer's thread (set at Open).
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_STORE_SQLITE_STORE_H_
