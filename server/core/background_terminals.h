// Background terminals (Codex app-server 0.171, experimental): processes
// the agent started with `exec_command` that run on after the call
// returned (a dev server, a watcher, a REPL). Codex lists them per thread
// (`thread/backgroundTerminals/list`) and ends one
// (`thread/backgroundTerminals/terminate`) or all
// (`thread/backgroundTerminals/clean`); they end with the app-server too.
#ifndef CODEX_MANAGER_SERVER_CORE_BACKGROUND_TERMINALS_H_
#define CODEX_MANAGER_SERVER_CORE_BACKGROUND_TERMINALS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace codex_manager {

// A listing holds at most this many; one page of Codex's list.
inline constexpr size_t kMaxListedTerminals = 100;
// The command and cwd are cut to this many bytes, then marked "…"
// (SafeText).
inline constexpr size_t kMaxTerminalTextBytes = 4096;

// One entry of `thread/backgroundTerminals/list` (Codex's
// `ThreadBackgroundTerminal`). Text is valid UTF-8.
struct BackgroundTerminal {
  std::string process_id;  // Codex's id in the thread, not an OS pid
  std::string item_id;     // the commandExecution item that started it
  std::string command;
  std::string cwd;
  // When Codex reports them.
  std::optional<uint32_t> os_pid;
  std::optional<double> cpu_percent;  // of one core; finite, >= 0
  std::optional<uint64_t> rss_kib;
};

// The terminals of a `thread/backgroundTerminals/list` result, oldest
// first as Codex lists them, at most kMaxListedTerminals; entries without
// a process id are dropped, mistyped members read as unset.
std::vector<BackgroundTerminal> BackgroundTerminalsOf(
    const nlohmann::json& result);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_BACKGROUND_TERMINALS_H_
