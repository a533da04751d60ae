// Restoring a backup (MaintenanceService.Backup's copy) into a data dir,
// for `codex-manager-server --restore FILE` on a stopped server
// (docs/operations.md, "Backup and restore").
//
// The backup is copied beside the database first, opened as the server
// would open it (its schema migrated if older, refused if newer) and
// checked as --check does; only then does it take the database's place,
// by renames. A database it replaces is kept, renamed together with its
// WAL (which SQLite finds by name), so no old write-ahead log is ever
// replayed into the restored file. What the replaced database numbered
// after the backup's moment is recorded in the restored one, so it is never
// numbered again: its newest event id (meta event_id_floor), and each
// session's seqs after the backup's (a RestoreGap, core/store.h). Every
// cursor, all sessions' or one session's, stays unique. Its revocations
// are kept too (a token revoked since the backup stays revoked), and the
// restore leaves an audit record (method "restore").
#ifndef CODEX_MANAGER_SERVER_STORE_RESTORE_H_
#define CODEX_MANAGER_SERVER_STORE_RESTORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace codex_manager {

struct Restored {
  std::string database;  // the restored file (DATA_DIR/codex-manager.db)
  int64_t sessions = 0;
  int64_t last_event_id = 0;
  // Where the database it replaced went; empty when there was none.
  std::string replaced;
  // When the replaced database had given later event ids than the
  // backup's: the id the next event gets (after all of them), so no id is
  // given twice; 0 otherwise.
  int64_t next_event_id = 0;
  // Sessions whose replaced database had given later session_seqs than
  // the backup's: each got a RestoreGap, and continues after it.
  int64_t seq_gaps = 0;
  // Tokens the replaced database had revoked that the backup had not:
  // revoked in the restored one too.
  int64_t revocations_kept = 0;
  // Why the replaced database could not be read (then nothing of it is
  // kept: event ids and seqs after the backup's may be given again, and
  // tokens revoked since are valid again); empty when it could.
  std::string replaced_unread;
};

// Restores `backup` into `data_dir` (an existing folder whose lock the
// caller holds). Errors, with nothing in `data_dir` changed:
// INVALID_ARGUMENT when `backup` is not a Codex Manager database or fails
// the checks (each violation named), FAILED_PRECONDITION when a newer
// server wrote it, INTERNAL when a file cannot be read or written.
// `now` names the replaced database's file.
absl::StatusOr<Restored> RestoreBackup(const std::string& backup,
                                       const std::string& data_dir,
                                       absl::Time now);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_STORE_RESTORE_H_
