#include "store/restore.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

constexpr char kDatabase[] = "codex-manager.db";
// SQLite's files beside a database: its write-ahead log and shared memory.
constexpr const char* kCompanions[] = {"", "-wal", "-shm"};

std::string Path(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

void RemoveWithCompanions(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : kCompanions) fs::remove(path + suffix, ec);
}

// `PRAGMA user_version` of the database at `path`, read without changing
// it; -1 when it is not an SQLite database.
int64_t SchemaVersion(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  int64_t version = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    version = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return version;
}

// Opens the staged copy as the server would and checks it; fills the
// counts. The store is closed on return (its WAL checkpointed away).
absl::Status Verify(const std::string& staged, Restored* out) {
  // A database the server never wrote would be taken for a new one (its
  // tables created), so it is refused before it is opened.
  if (SchemaVersion(staged) < 1) {
    return absl::InvalidArgumentError(
        "not a Codex Manager database (no schema version: not a file "
        "codex-manager-server wrote)");
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(staged, /*read_connections=*/1);
  if (!store.ok()) {
    if (absl::IsFailedPrecondition(store.status())) return store.status();
    return absl::InvalidArgumentError(absl::StrCat(
        "not a Codex Manager database: ", store.status().message()));
  }
  absl::StatusOr<std::vector<std::string>> violations =
      (*store)->CheckInvariants();
  if (!violations.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot check it: ", violations.status().message()));
  }
  if (!violations->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("it fails --check (", violations->size(),
                     " violations): ", absl::StrJoin(*violations, "; ")));
  }
  store->reset();
  absl::StatusOr<StoreCopy> holds = SqliteStore::Describe(staged);
  if (!holds.ok()) return holds.status();
  out->sessions = holds->sessions;
  out->last_event_id = holds->last_event_id;
  return absl::OkStatus();
}

// Records the restore in the database at `path` (the staged copy of
// `backup`), in one transaction: what the database it replaces
// (`replaced`, null when there is none or it could not be read) had
// given after the backup's moment, so it is not given again — event ids
// up to its newest (meta event_id_floor, which LastEventId counts), and
// for each session of both whose newest session_seq there is past its
// newest here, the seqs between (a restore gap, which LastSessionSeq
// counts) — the revocations it had made, so a token revoked since the
// backup stays revoked, and an audit record saying what was restored.
absl::Status RecordRestore(const std::string& path, const std::string& backup,
                           const SqliteStore::Replaced* replaced,
                           absl::Time now, Restored* out) {
  static const SqliteStore::Replaced kNone;
  if (replaced == nullptr) replaced = &kNone;
  const int64_t event_id_floor = replaced->last_event_id > out->last_event_id
                                     ? replaced->last_event_id
                                     : 0;
  sqlite3* db = nullptr;
  sqlite3_stmt* floor = nullptr;
  sqlite3_stmt* gap = nullptr;
  sqlite3_stmt* revoke = nullptr;
  sqlite3_stmt* audit = nullptr;
  auto step = [](sqlite3_stmt* st) {
    const int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  };
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO meta (key, value) VALUES ('event_id_floor', ?1) ON "
        "CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)",
        -1, &floor, nullptr);
  }
  if (rc == SQLITE_OK && event_id_floor > 0) {
    sqlite3_bind_int64(floor, 1, event_id_floor);
    rc = step(floor);
    out->next_event_id = event_id_floor + 1;
  }
  if (rc == SQLITE_OK) {
    // The session's newest seq here, as LastSessionSeq counts it.
    rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO restore_gaps (session_id, after_seq, through_seq, "
        "restore_us) SELECT session_id, last, ?2, ?3 FROM (SELECT "
        "s.session_id, MAX(s.purged_seq, (SELECT COALESCE(MAX(e.session_seq), "
        "0) FROM events e WHERE e.session_id = s.session_id), (SELECT "
        "COALESCE(MAX(g.through_seq), 0) FROM restore_gaps g WHERE "
        "g.session_id = s.session_id)) AS last FROM sessions s WHERE "
        "s.session_id = ?1) WHERE last < ?2",
        -1, &gap, nullptr);
  }
  out->seq_gaps = 0;
  const std::map<std::string, int64_t>& seqs = replaced->session_seqs;
  for (auto it = seqs.begin(); rc == SQLITE_OK && it != seqs.end(); ++it) {
    sqlite3_bind_text(gap, 1, it->first.data(),
                      static_cast<int>(it->first.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(gap, 2, it->second);
    sqlite3_bind_int64(gap, 3, absl::ToUnixMicros(now));
    rc = step(gap);
    out->seq_gaps += sqlite3_changes(db);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(db,
                            "UPDATE tokens SET revoke_us = ?2 WHERE token_id "
                            "= ?1 AND revoke_us IS NULL",
                            -1, &revoke, nullptr);
  }
  out->revocations_kept = 0;
  for (auto it = replaced->revocations.begin();
       rc == SQLITE_OK && it != replaced->revocations.end(); ++it) {
    sqlite3_bind_text(revoke, 1, it->first.data(),
                      static_cast<int>(it->first.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(revoke, 2, absl::ToUnixMicros(it->second));
    rc = step(revoke);
    out->revocations_kept += sqlite3_changes(db);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(
        db,
        "INSERT INTO audit_log (time_us, token_id, token_name, role, peer, "
        "request_id, method, resource_id, code, message) VALUES (?1, '', "
        "'codex-manager-server', 0, '', '', 'restore', '', 0, ?2)",
        -1, &audit, nullptr);
  }
  if (rc == SQLITE_OK) {
    std::error_code ec;
    const fs::path named = fs::absolute(backup, ec);
    std::string message = absl::StrCat(
        "--restore ", ec ? backup : named.lexically_normal().string(), ": ",
        out->sessions, out->sessions == 1 ? " session" : " sessions",
        ", events through ", out->last_event_id);
    if (!out->replaced.empty()) {
      absl::StrAppend(&message, "; the database it replaced is now ",
                      out->replaced);
    }
    if (event_id_floor > 0) {
      absl::StrAppend(&message, "; new events are numbered from ",
                      event_id_floor + 1);
    }
    if (out->seq_gaps > 0) {
      absl::StrAppend(&message, "; ", out->seq_gaps,
                      out->seq_gaps == 1 ? " session" : " sessions",
                      " had events after the backup's");
    }
    if (out->revocations_kept > 0) {
      absl::StrAppend(&message, "; ", out->revocations_kept,
                      out->revocations_kept == 1
                          ? " token revoked since the backup stays revoked"
                          : " tokens revoked since the backup stay revoked");
    }
    sqlite3_bind_int64(audit, 1, absl::ToUnixMicros(now));
    sqlite3_bind_text(audit, 2, message.data(),
                      static_cast<int>(message.size()), SQLITE_TRANSIENT);
    rc = step(audit);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  const std::string error = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
  sqlite3_finalize(floor);
  sqlite3_finalize(gap);
  sqlite3_finalize(revoke);
  sqlite3_finalize(audit);
  sqlite3_close(db);  // a transaction left open is rolled back
  if (rc != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat("cannot record the restore in it: ", error));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Restored> RestoreBackup(const std::string& backup,
                                       const std::string& data_dir,
                                       absl::Time now) {
  Restored out;
  out.database = Path(data_dir, kDatabase);
  const std::string staged = out.database + ".restoring";
  RemoveWithCompanions(staged);  // what an interrupted restore left
  std::error_code ec;
  if (!fs::is_regular_file(backup, ec)) {
    return absl::InternalError("no such file");
  }
  fs::copy_file(backup, staged, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    RemoveWithCompanions(staged);
    return absl::InternalError(
        absl::StrCat("cannot copy it into the data dir: ", ec.message()));
  }
  fs::permissions(staged, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (absl::Status verified = Verify(staged, &out); !verified.ok()) {
    RemoveWithCompanions(staged);
    return verified;
  }
  // The ids and seqs the replaced database gave after the backup's moment
  // are not given again: every cursor stays unique. (Read with its WAL, as
  // it stands; a database that cannot be read keeps nothing out.)
  std::optional<SqliteStore::Replaced> replaced;
  if (fs::exists(out.database, ec)) {
    out.replaced = absl::StrCat(
        out.database, ".replaced-",
        absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()));
    absl::StatusOr<SqliteStore::Replaced> read =
        SqliteStore::DescribeReplaced(out.database);
    if (read.ok()) {
      replaced = *std::move(read);
    } else {
      out.replaced_unread = std::string(read.status().message());
    }
  }
  if (absl::Status s = RecordRestore(
          staged, backup, replaced ? &*replaced : nullptr, now, &out);
      !s.ok()) {
    RemoveWithCompanions(staged);
    return s;
  }
  // Only the file moves: every write to it must be in it. SQLite folds
  // its log into the file when the last connection closes; a log still
  // holding frames would be lost by the rename.
  if (fs::exists(staged + "-wal", ec) &&
      fs::file_size(staged + "-wal", ec) > 0) {
    RemoveWithCompanions(staged);
    return absl::InternalError(
        "the checked copy kept a write-ahead log; nothing was changed");
  }
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(staged + suffix, ec);

  if (!out.replaced.empty()) {
    for (const char* suffix : kCompanions) {
      const std::string from = out.database + suffix;
      if (!fs::exists(from, ec)) continue;
      fs::rename(from, out.replaced + suffix, ec);
      if (ec) {
        return absl::InternalError(
            absl::StrCat("cannot move ", from, ": ", ec.message()));
      }
    }
  }
  fs::rename(staged, out.database, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot put the backup in place: ", ec.message(),
                     " (it is at ", staged, ")"));
  }
  return out;
}

}  // namespace codex_manager
