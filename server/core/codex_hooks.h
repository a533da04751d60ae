// Codex hooks a session's thread will not run, said to the person driving
// it. Codex (app-server 0.171) runs a hook from its config only once the
// hook's exact definition was trusted (`[hooks.state]` in config.toml,
// written by Codex's own /hooks review), and skips the others without a
// word on the protocol; a hook config it cannot parse is skipped the same
// way. codex-manager asks `hooks/list` for the thread once it is ready and
// turns what Codex skips into one WARNING event.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_

#include <optional>
#include <string>

#include "nlohmann/json.hpp"

namespace codex_manager {

struct SkippedHooks {
  // One line: how many hooks Codex skips and how to trust them.
  std::string message;
  // One line per skipped hook or config error: its event, command (or
  // tool) and the file that configures it.
  std::string details;
};

// What `hooks/list`'s result (`HooksListResponse`: {data: [{cwd, hooks,
// warnings, errors}]}) says Codex will not run: enabled hooks whose
// `trustStatus` is "untrusted" or "modified", and `errors`. nullopt when
// nothing is skipped. Any shape is accepted (a mistyped member reads as
// absent); the text is cut to a bounded size.
std::optional<SkippedHooks> SkippedHooksOf(const nlohmann::json& result);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_HOOKS_H_
