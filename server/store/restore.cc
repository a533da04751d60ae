#include "store/restore.h"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/types.h"
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
// counts. Returns it open, to record the restore in.
absl::StatusOr<std::unique_ptr<SqliteStore>> OpenChecked(
    const std::string& staged, Restored* out) {
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
  absl::StatusOr<StoreCopy> holds = SqliteStore::Describe(staged);
  if (!holds.ok()) return holds.status();
  out->sessions = holds->sessions;
  out->last_event_id = holds->last_event_id;
  return store;
}

// "N session(s)".
std::string Sessions(int64_t n) {
  return absl::StrCat(n, n == 1 ? " session" : " sessions");
}

// Records the restore of `backup` in `store` (its checked copy): what the
// database it replaces (`replaced`, null when there is none or it could
// not be read) had given after the backup's moment, so it is not given
// again — event ids up to its newest, and each session's seqs past its
// newest here — and its revocations, so a token revoked since the backup
// stays revoked; with an audit record saying what was restored.
absl::Status RecordRestore(SqliteStore& store, const std::string& backup,
                           const SqliteStore::Replaced* replaced,
                           absl::Time now, Restored* out) {
  static const SqliteStore::Replaced kNone;
  if (replaced == nullptr) replaced = &kNone;
  const int64_t event_id_floor = replaced->last_event_id > out->last_event_id
                                     ? replaced->last_event_id
                                     : 0;
  auto audit = [&](const SqliteStore::RestoreRecorded& recorded) {
    std::error_code ec;
    const fs::path named = fs::absolute(backup, ec);
    AuditRecord record;
    record.time = now;
    record.caller.token_name = "codex-manager-server";
    record.caller.method = "restore";
    record.message = absl::StrCat(
        "--restore ", ec ? backup : named.lexically_normal().string(), ": ",
        Sessions(out->sessions), ", events through ", out->last_event_id);
    if (!out->replaced.empty()) {
      absl::StrAppend(&record.message, "; the database it replaced is now ",
                      out->replaced);
    }
    if (event_id_floor > 0) {
      absl::StrAppend(&record.message, "; new events are numbered from ",
                      event_id_floor + 1);
    }
    if (recorded.seq_gaps > 0) {
      absl::StrAppend(&record.message, "; ", Sessions(recorded.seq_gaps),
                      " had events after the backup's");
    }
    if (recorded.revocations_kept > 0) {
      absl::StrAppend(&record.message, "; ", recorded.revocations_kept,
                      recorded.revocations_kept == 1
                          ? " token revoked since the backup stays revoked"
                          : " tokens revoked since the backup stay revoked");
    }
    return record;
  };
  absl::StatusOr<SqliteStore::RestoreRecorded> recorded =
      store.RecordRestore(event_id_floor, *replaced, now, audit);
  if (!recorded.ok()) {
    return absl::InternalError(absl::StrCat("cannot record the restore in it: ",
                                            recorded.status().message()));
  }
  if (event_id_floor > 0) out->next_event_id = event_id_floor + 1;
  out->seq_gaps = recorded->seq_gaps;
  out->revocations_kept = recorded->revocations_kept;
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
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      OpenChecked(staged, &out);
  if (!store.ok()) {
    RemoveWithCompanions(staged);
    return store.status();
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
  absl::Status recorded = RecordRestore(
      **store, backup, replaced ? &*replaced : nullptr, now, &out);
  store->reset();  // closed: its write-ahead log folded into the file
  if (!recorded.ok()) {
    RemoveWithCompanions(staged);
    return recorded;
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
