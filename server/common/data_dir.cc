#include "common/data_dir.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

// Removes group/other bits from `path` (0700 for folders, 0600 for files).
absl::Status Tighten(const fs::path& path, bool folder) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) {
    return absl::OkStatus();  // gone, or a symlink (not ours to change)
  }
  const mode_t want = folder ? 0700 : (st.st_mode & 0700);
  if ((st.st_mode & 0777) == want || (st.st_mode & 077) == 0) {
    return absl::OkStatus();
  }
  if (chmod(path.c_str(), want) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot restrict the permissions of ", path.string()));
  }
  Log(LogLevel::kWarning, "restricted permissions in the data dir",
      {{"path", path.string()},
       {"was", absl::StrFormat("%04o", st.st_mode & 0777)},
       {"now", folder ? "0700" : "0600"}});
  return absl::OkStatus();
}

}  // namespace

std::string DefaultDataDir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && state[0] == '/') {
    return (fs::path(state) / "codex-manager").string();
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] == '\0') return "";
  return (fs::path(home) / ".local" / "state" / "codex-manager").string();
}

absl::Status PrepareDataDir(const std::string& path) {
  std::error_code ec;
  const bool existed = fs::exists(path, ec);
  fs::create_directories(path, ec);  // the umask (077) makes them 0700
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create data dir ", path, ": ", ec.message()));
  }
  if (!existed) return absl::OkStatus();
  if (absl::Status s = Tighten(path, /*folder=*/true); !s.ok()) return s;
  for (const fs::directory_entry& entry :
       fs::recursive_directory_iterator(path, ec)) {
    if (absl::Status s = Tighten(entry.path(), entry.is_directory(ec));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
