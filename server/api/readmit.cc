#include "api/readmit.h"

namespace codex_manager {

absl::Status Readmit(SessionManager& manager, const Admission& admission,
                     const std::string& session_id, std::optional<Role> runner,
                     std::string_view turn_sandbox) {
  absl::StatusOr<Session> session = manager.GetSession(session_id);
  if (!session.ok()) return session.status();
  return admission.AdmitStored(*session, runner, turn_sandbox);
}

absl::Status ReadmitRunning(SessionManager& manager, const Admission& admission,
                            const std::string& session_id, Role runner) {
  absl::StatusOr<Session> session = manager.GetSession(session_id);
  if (!session.ok()) return session.status();
  return admission.AdmitStored(*session, runner,
                               session->codex_settings.sandbox);
}

}  // namespace codex_manager
