// The server's data dir: where it is by default, and its permissions. The
// data dir holds every transcript and the admin token, so it is the
// server user's alone: the folder 0700, every file in it 0600.
#ifndef CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_
#define CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_

#include <string>

#include "absl/status/status.h"

namespace codex_manager {

// ${XDG_STATE_HOME:-$HOME/.local/state}/codex-manager (the XDG Base
// Directory spec's place for state). Empty when neither variable is set.
std::string DefaultDataDir();

// Creates `path` (and its parents) with mode 0700 when missing. When it
// exists, removes group and other permissions from it and from every file
// in it, logging each change. INTERNAL naming the path on failure.
absl::Status PrepareDataDir(const std::string& path);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_DATA_DIR_H_
