// A stored session admitted again before Codex works in its folder again
// (Admission::AdmitStored): the server's --allowed-root and --max-sandbox
// may have narrowed since the session was created.
#ifndef CODEX_MANAGER_SERVER_API_READMIT_H_
#define CODEX_MANAGER_SERVER_API_READMIT_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "auth/admission.h"
#include "core/session_manager.h"

namespace codex_manager {

// NOT_FOUND naming the session; else Admission::AdmitStored's answer for
// it (its sandbox too when Codex is to run the agent for `runner`, in
// `turn_sandbox` when the turn asks for one).
absl::Status Readmit(SessionManager& manager, const Admission& admission,
                     const std::string& session_id, std::optional<Role> runner,
                     std::string_view turn_sandbox = {});

// Readmit for a `runner` whose words join the work the thread does now
// (SteerTurn; a goal Codex pursues in turns of its own): in the sandbox
// Codex reports running the thread with (Session.codex_settings), else the
// session's.
absl::Status ReadmitRunning(SessionManager& manager, const Admission& admission,
                            const std::string& session_id, Role runner);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_READMIT_H_
