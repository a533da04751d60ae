// Startup recovery: settles what a dead server process left in the store,
// before anything is served. Sessions left STARTING, IDLE or BUSY become
// STOPPED ("server restarted"; resumable), their RUNNING and QUEUED turns
// INTERRUPTED, PENDING approvals EXPIRED — each change with its event in one
// transaction (core/changes.h). Returns once all of it is committed;
// UNAVAILABLE when the store cannot commit within a minute, or the store's
// error when it cannot be read.
#ifndef CODEX_MANAGER_SERVER_CORE_RECOVERY_H_
#define CODEX_MANAGER_SERVER_CORE_RECOVERY_H_

#include "absl/status/status.h"
#include "core/clock.h"
#include "core/event_log.h"
#include "core/store.h"

namespace codex_manager {

absl::Status RecoverAfterRestart(Store* store, EventLog* log, Clock* clock);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_RECOVERY_H_
