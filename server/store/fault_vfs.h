// A testing seam under SQLite: a VFS that wraps the default one (as
// SQLite's own src/test_vfs.c does) and fails writes on demand, so tests can
// show that a full or failing disk costs the failing RPCs an UNAVAILABLE and
// nothing else: the server stays up, nothing is half-written, and it
// recovers once the fault clears.
//
// The fault is read from a control file on every write, sync and truncate:
//   missing                no fault
//   "full"                 SQLITE_FULL (disk full)
//   "ioerr"                SQLITE_IOERR_WRITE
// codex-manager-server installs it with --inject-store-faults-from FILE (a
// test flag; never in production).
#ifndef CODEX_MANAGER_SERVER_STORE_FAULT_VFS_H_
#define CODEX_MANAGER_SERVER_STORE_FAULT_VFS_H_

#include <string>

#include "absl/status/status.h"

namespace codex_manager {

// Registers the wrapping VFS as SQLite's default, before any database is
// opened. Call once. INTERNAL when SQLite refuses it.
absl::Status InstallFaultInjectingVfs(const std::string& control_file);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_STORE_FAULT_VFS_H_
