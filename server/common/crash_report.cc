#include "common/crash_report.h"

#include <signal.h>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"

namespace codex_manager {

void InstallCrashReport(const char* argv0) {
  absl::InitializeSymbolizer(argv0);
#ifndef __SANITIZE_ADDRESS__
  absl::InstallFailureSignalHandler(absl::FailureSignalHandlerOptions());
  // Abseil's handler also takes SIGTERM.
  signal(SIGTERM, SIG_DFL);
#endif
}

}  // namespace codex_manager
