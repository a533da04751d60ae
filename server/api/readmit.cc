#include "api/readmit.h"

namespace codex_manager {

absl::Status Readmit(SessionManager& manager, const Admission& admission,
                     const std::string& session_id, bool sandbox_too) {
  absl::StatusOr<Session> session = manager.GetSession(session_id);
  if (!session.ok()) return session.status();
  return admission.AdmitStored(*session, sandbox_too);
}

}  // namespace codex_manager
