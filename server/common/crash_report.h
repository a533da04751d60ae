// Crash reports for the server and the web proxy: on SIGSEGV, SIGABRT,
// SIGILL, SIGFPE, SIGBUS or SIGTRAP the process writes the signal and a
// symbolized stack trace to stderr (its log), then dies by that signal
// (Abseil's failure signal handler). docs/operations.md, "Logs".
#ifndef CODEX_MANAGER_SERVER_COMMON_CRASH_REPORT_H_
#define CODEX_MANAGER_SERVER_COMMON_CRASH_REPORT_H_

namespace codex_manager {

// Installs the handler; call first in main, before any thread starts.
// `argv0` is main's argv[0] (for the symbolizer). SIGTERM keeps its default
// action, since a stop is not a crash; each binary takes SIGTERM itself.
// Sanitizer builds keep their own reports and install nothing.
void InstallCrashReport(const char* argv0);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_CRASH_REPORT_H_
