// The persistence interface of the server: sessions, turns, approvals, the
// event log, idempotency keys and the audit trail.
//
// SqliteStore (sqlite_store.h) is the embedded implementation; a PostgreSQL
// one can follow for multi-instance deployments (docs/architecture.md).
//
// Thread safety: implementations are safe for concurrent use from many
// threads without external synchronization.
#ifndef CODEX_MANAGER_SERVER_CORE_STORE_H_
#define CODEX_MANAGER_SERVER_CORE_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/types.h"

namespace codex_manager {

// A page request. `after` is an opaque position from a previous page (0 for
// the first page); `limit` is the maximum number of rows, 1..1000.
struct PageRequest {
  int64_t after = 0;
  int limit = 100;
};

template <typename T>
struct Page {
  std::vector<T> items;
  // Position to pass as PageRequest::after for the next page; 0 when this is
  // the last page.
  int64_t next = 0;
};

// Which events ReadEvents returns.
struct EventQuery {
  // Only events with event_id > after_event_id ...
  int64_t after_event_id = 0;
  // ... and event_id <= up_to_event_id (0 = no upper bound).
  int64_t up_to_event_id = 0;
  // Only this session's events; empty = all sessions.
  std::string session_id;
  int limit = 256;
};

// An idempotency key: (method, request_id) produced `resource_id`.
struct RequestKey {
  std::string method;
  std::string request_id;
  std::string resource_id;
  // The request that first used it (Caller::request_digest); empty for
  // keys stored before digests were.
  std::string request_digest;
  // When it was stored (the resource's create time), for retention
  // (PurgeRequestKeys); keys stored before times were have their upgrade's.
  // Required: a key written without one is refused (INTERNAL), not kept
  // as 1970 for retention to delete at once.
  absl::Time create_time = absl::InfinitePast();
};

// Writes that commit together in one transaction, or not at all (a change
// and every record that describes it: its row, its events, its idempotency
// key, its audit record). Applied in member order.
struct WriteBatch {
  std::vector<Session> sessions;
  std::vector<Turn> turns;
  std::vector<Approval> approvals;
  std::vector<TokenRecord> tokens;
  // ALREADY_EXISTS naming the request_id when one is taken.
  std::vector<RequestKey> request_keys;
  std::vector<AuditRecord> audit;
  // With ids assigned (EventLog does that).
  std::vector<Event> events;

  bool empty() const {
    return sessions.empty() && turns.empty() && approvals.empty() &&
           tokens.empty() && request_keys.empty() && audit.empty() &&
           events.empty();
  }
};

// Which sessions ListSessions returns: every filter is optional, and a
// session must match each one given.
struct SessionQuery {
  // ARCHIVED sessions too (when `states` is empty).
  bool include_archived = false;
  // Only sessions in one of these states; empty: any.
  std::vector<SessionState> states;
  // Only sessions whose title, cwd or a turn's prompt holds this, ASCII
  // letters in any case.
  std::string search;
  // Only sessions whose cwd is this folder or below it (no trailing '/').
  std::string cwd;
};

// Which audit records ListAudit returns (every filter is optional).
struct AuditQuery {
  std::string token_id;
  std::string method;
  std::optional<absl::Time> start_time;  // inclusive
  std::optional<absl::Time> end_time;    // exclusive
};

// One attempt to deliver a notification (webhook or ntfy push).
struct DeliveryRecord {
  std::string delivery_id;  // dlv_…, the same for each attempt of one
  int attempt = 1;          // 1-based
  absl::Time time;          // when the attempt started
  std::string target;       // "webhook" or "ntfy"
  std::string host;         // the receiver's host (never the full URL)
  std::string event;        // approval.requested, turn.completed, …
  int64_t event_id = 0;     // the event that caused it
  std::string session_id;
  int http_status = 0;      // 0: no HTTP response
  std::string error;        // empty when delivered
  absl::Duration duration;
};

struct StoreStats {
  // Number of write transactions committed since open.
  int64_t commits = 0;
  // Number of events appended since open.
  int64_t events_appended = 0;
};

// Session seqs a restore lost (store/restore.h): the database it replaced
// had given the session's `after_seq`+1..`through_seq`, which the restored
// one never held. The session's next event comes after through_seq.
struct RestoreGap {
  int64_t after_seq = 0;    // the newest seq the restored database held
  int64_t through_seq = 0;  // the newest the replaced one had given
  // The event_id of the session's event at after_seq (0: none): a cursor
  // in the gap resumes after it.
  int64_t after_event_id = 0;
  absl::Time restore_time;
};

// What a copy of the store holds (Store::CopyTo).
struct StoreCopy {
  int64_t sessions = 0;       // archived ones included
  int64_t last_event_id = 0;  // newest ever given (LastEventId); 0: none
};

class Store {
 public:
  virtual ~Store() = default;

  // Commits every write of every batch, in order, in one transaction; on
  // error nothing is written. The only way to write sessions, turns,
  // approvals and events: the server does it through EventLog's writer
  // (one change = rows + events), which groups changes this way.
  virtual absl::Status WriteAll(absl::Span<const WriteBatch* const> batches) = 0;
  // WriteAll of one batch.
  absl::Status Write(const WriteBatch& batch) {
    const WriteBatch* one[] = {&batch};
    return WriteAll(one);
  }

  // NOT_FOUND naming the id when absent.
  virtual absl::StatusOr<Session> GetSession(absl::string_view session_id) = 0;
  // Newest first. A filter is checked on each row the page goes through
  // (no index serves it): a page that matches few sessions reads the table
  // on until it is full.
  virtual absl::StatusOr<Page<Session>> ListSessions(const SessionQuery& query,
                                                     PageRequest page) = 0;
  // Sessions currently in `state`, oldest first.
  virtual absl::StatusOr<std::vector<Session>> SessionsInState(
      SessionState state) = 0;
  // Sessions (ARCHIVED ones too) on the Codex thread `thread_id`, oldest
  // first.
  virtual absl::StatusOr<std::vector<Session>> SessionsOfThread(
      absl::string_view thread_id) = 0;

  // NOT_FOUND naming the id when absent.
  virtual absl::StatusOr<Turn> GetTurn(absl::string_view turn_id) = 0;
  // Oldest first.
  virtual absl::StatusOr<Page<Turn>> ListTurns(absl::string_view session_id,
                                               PageRequest page) = 0;
  // Turns of any session in `state`, oldest first.
  virtual absl::StatusOr<std::vector<Turn>> TurnsInState(TurnState state) = 0;

  // NOT_FOUND naming the id when absent.
  virtual absl::StatusOr<Approval> GetApproval(
      absl::string_view approval_id) = 0;
  // Oldest first. `session_id` empty = every session.
  virtual absl::StatusOr<Page<Approval>> ListApprovals(
      absl::string_view session_id, bool pending_only, PageRequest page) = 0;

  // Idempotency keys (written with their resource: WriteBatch, which
  // stamps each with the time it was stored).
  virtual absl::StatusOr<std::optional<RequestKey>> GetRequestKey(
      absl::string_view method, absl::string_view request_id) = 0;
  // Retention: deletes up to `limit` of the oldest idempotency keys stored
  // before `before` (a retry with one then makes a new resource). Returns
  // the number deleted.
  virtual absl::StatusOr<int64_t> PurgeRequestKeys(absl::Time before,
                                                   int64_t limit) = 0;

  // Events matching `query`, in event_id order.
  virtual absl::StatusOr<std::vector<Event>> ReadEvents(
      const EventQuery& query) = 0;
  // The newest event_id ever given (0 when none was), those retention
  // deleted and those of a database a restore replaced included: the next
  // event's id is the one after it.
  virtual absl::StatusOr<int64_t> LastEventId() = 0;
  // Retention: deletes every event of sessions ARCHIVED (update time)
  // before `archived_before`, recording how far each session's events and
  // the global log were deleted (Session::purged_seq,
  // PurgedThroughEventId). Returns the number of events deleted.
  virtual absl::StatusOr<int64_t> PurgeArchivedEvents(
      absl::Time archived_before) = 0;
  // The newest event_id retention deleted (0: none); an all-sessions
  // cursor older than it has lost events.
  virtual absl::StatusOr<int64_t> PurgedThroughEventId() = 0;
  // The newest session_seq ever given in a session (0 when none was),
  // those retention deleted and those a restore lost (RestoreGap)
  // included: the session's next event gets the one after it.
  virtual absl::StatusOr<int64_t> LastSessionSeq(
      absl::string_view session_id) = 0;
  // The session's purged_seq (Session::purged_seq) alone, for a stream's
  // setup, which needs nothing else of the row; NOT_FOUND naming the id.
  virtual absl::StatusOr<int64_t> SessionPurgedSeq(
      absl::string_view session_id) = 0;
  // The event_id of (session, seq); NOT_FOUND when absent.
  virtual absl::StatusOr<int64_t> EventIdOf(absl::string_view session_id,
                                            int64_t session_seq) = 0;
  // The restore gap `session_seq` is in (after_seq < seq <= through_seq);
  // NOT_FOUND when it is in none.
  virtual absl::StatusOr<RestoreGap> RestoreGapOf(absl::string_view session_id,
                                                  int64_t session_seq) = 0;

  // Tokens. NOT_FOUND naming the id when absent.
  virtual absl::StatusOr<TokenRecord> GetToken(absl::string_view token_id) = 0;
  // The token whose secret hashes to `secret_sha256` (lowercase hex), if
  // any.
  virtual absl::StatusOr<std::optional<TokenRecord>> FindTokenByHash(
      absl::string_view secret_sha256) = 0;
  // Oldest first.
  virtual absl::StatusOr<Page<TokenRecord>> ListTokens(bool include_revoked,
                                                       PageRequest page) = 0;
  // Records a successful authentication.
  virtual absl::Status TouchToken(absl::string_view token_id,
                                  absl::Time when) = 0;

  // Appends one record to the audit log on its own (a refused or failed
  // call, which changed nothing).
  virtual absl::Status AppendAudit(const AuditRecord& record) = 0;
  // Newest first; PageRequest::after is an audit_id.
  virtual absl::StatusOr<Page<AuditRecord>> ListAudit(const AuditQuery& query,
                                                      PageRequest page) = 0;
  // Retention: deletes up to `limit` of the oldest audit records made
  // before `before`, and appends `note` (its message completed with the
  // count and the cutoff) in the same transaction when any went, so the
  // log says what retention took. Returns the number deleted.
  virtual absl::StatusOr<int64_t> PurgeAudit(absl::Time before, int64_t limit,
                                             const AuditRecord& note) = 0;

  // Records one notification attempt in its own transaction, keeping the
  // newest `keep` records.
  virtual absl::Status AppendDelivery(const DeliveryRecord& record,
                                      int keep) = 0;

  virtual StoreStats Stats() = 0;

  // Writes a copy of the whole database, consistent as of one moment, to
  // `path`, a file that must not exist yet (SQLite's VACUUM INTO, on a read
  // connection: writes go on meanwhile). The copy is a database the store
  // opens. On error nothing is left at `path`: UNAVAILABLE for a full disk
  // or an I/O error, INTERNAL otherwise (an existing `path` included).
  virtual absl::StatusOr<StoreCopy> CopyTo(const std::string& path) = 0;

  // Verifies the durable invariants (codex-manager-server --check): the
  // file's integrity, every session's session_seq gapless from 1 (but for
  // RestoreGaps), each session's and turn's row in the state its last
  // *_STATE_CHANGED event names and each such event's row present, each
  // approval with its APPROVAL_REQUESTED event (and, once decided, an
  // APPROVAL_RESOLVED with its state) and each such event's row present. One
  // line per violation, naming it; empty when all hold.
  virtual absl::StatusOr<std::vector<std::string>> CheckInvariants() = 0;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_STORE_H_
