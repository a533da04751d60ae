// Runtime calls whose answer commits under the caller's lock.
//
// A runtime calls `done` (Runtime::CallThread) on its reader thread, or at
// once, before CallThread returns, when it is gone: then under the lock
// its caller holds, which `done` must not take again. CallThreadLocked
// hides the difference: `finish` always runs with `mu` held, once.
#ifndef CODEX_MANAGER_SERVER_CORE_LOCKED_CALL_H_
#define CODEX_MANAGER_SERVER_CORE_LOCKED_CALL_H_

#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/runtime.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// Sends the thread request `method` with `params` (Runtime::CallThread)
// and runs `finish` with the answer under `mu`: before returning when the
// runtime answered at once (`mu` still held by the caller), otherwise on
// the runtime's reader thread, which takes `mu` for it.
void CallThreadLocked(
    Runtime& runtime, absl::Mutex& mu, const std::string& method,
    nlohmann::json params,
    std::function<void(absl::StatusOr<nlohmann::json>)> finish)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_LOCKED_CALL_H_
