// A stored session admitted again before Codex works in its folder again
// (Admission::AdmitStored): the server's --allowed-root and --max-sandbox
// may have narrowed since the session was created.
#ifndef CODEX_MANAGER_SERVER_API_READMIT_H_
#define CODEX_MANAGER_SERVER_API_READMIT_H_

#include <string>

#include "absl/status/status.h"
#include "auth/admission.h"
#include "core/session_manager.h"

namespace codex_manager {

// NOT_FOUND naming the session; else Admission::AdmitStored's answer for
// it (its sandbox too when `sandbox_too`: Codex is to run the agent).
absl::Status Readmit(SessionManager& manager, const Admission& admission,
                     const std::string& session_id, bool sandbox_too);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_READMIT_H_
