#include "common/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
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

// Takes DATA_DIR/LOCK (see DataDirLock) and writes our pid into it.
absl::StatusOr<std::unique_ptr<DataDirLock>> Lock(const fs::path& dir) {
  const fs::path path = dir / "LOCK";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", path.string(), ": ",
                                            std::strerror(errno)));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = {0};
    const ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
    close(fd);
    if (err == EWOULDBLOCK) {
      const std::string holder(pid, n > 0 ? static_cast<size_t>(n) : 0);
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", dir.string(), " is in use by another "
          "codex-manager-server (pid ",
          holder.empty() ? "unknown" : absl::StripAsciiWhitespace(holder),
          ", lock ", path.string(), "); stop it or choose another --data-dir"));
    }
    return absl::InternalError(absl::StrCat("cannot lock ", path.string(), ": ",
                                            std::strerror(err)));
  }
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 ||
      pwrite(fd, pid.data(), pid.size(), 0) !=
          static_cast<ssize_t>(pid.size())) {
    Log(LogLevel::kWarning, "cannot write the pid into the data dir lock",
        {{"path", path.string()}});
  }
  return std::make_unique<DataDirLock>(fd);
}

}  // namespace

DataDirLock::~DataDirLock() { close(fd_); }

absl::StatusOr<std::unique_ptr<DataDirLock>> LockDataDir(
    const std::string& path) {
  return Lock(path);
}

std::string DefaultDataDir() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && state[0] == '/') {
    return (fs::path(state) / "codex-manager").string();
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] == '\0') return "";
  return (fs::path(home) / ".local" / "state" / "codex-manager").string();
}

absl::StatusOr<std::unique_ptr<DataDirLock>> PrepareDataDir(
    const std::string& path) {
  std::error_code ec;
  const bool existed = fs::exists(path, ec);
  fs::create_directories(path, ec);  // the umask (077) makes them 0700
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create data dir ", path, ": ", ec.message()));
  }
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = Lock(path);
  if (!lock.ok() || !existed) return lock;
  if (absl::Status s = Tighten(path, /*folder=*/true); !s.ok()) return s;
  for (const fs::directory_entry& entry :
       fs::recursive_directory_iterator(path, ec)) {
    if (absl::Status s = Tighten(entry.path(), entry.is_directory(ec));
        !s.ok()) {
      return s;
    }
  }
  return lock;
}

}  // namespace codex_manager
