#include "core/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace codex_manager {
namespace {

constexpr char kPrefix[] = "backup-";
constexpr char kSuffix[] = ".tmp";

std::string NewBackupPath(const std::string& dir) {
  absl::BitGen bits;  // seeded anew: a backup is rare
  const uint64_t id = absl::Uniform<uint64_t>(bits);
  return (std::filesystem::path(dir) /
          absl::StrFormat("%s%016x%s", kPrefix, id, kSuffix))
      .string();
}

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

absl::StatusOr<std::unique_ptr<BackupFile>> BackupFile::Make(
    Store* store, const std::string& dir) {
  const std::string path = NewBackupPath(dir);
  absl::StatusOr<StoreCopy> contents = store->CopyTo(path);
  if (!contents.ok()) return contents.status();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const std::string open_error = fd < 0 ? ErrnoText() : "";
  ::unlink(path.c_str());  // the open file keeps it until the call ends
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("backup: cannot open the copy: ", open_error));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const std::string error = ErrnoText();
    ::close(fd);
    return absl::InternalError(absl::StrCat("backup: ", error));
  }
  return std::unique_ptr<BackupFile>(
      new BackupFile(fd, static_cast<int64_t>(st.st_size), *contents));
}

BackupFile::~BackupFile() { ::close(fd_); }

absl::StatusOr<std::string> BackupFile::Read(size_t max_bytes) {
  std::string out(max_bytes, '\0');
  size_t got = 0;
  while (got < max_bytes) {
    const ssize_t n = ::read(fd_, out.data() + got, max_bytes - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("backup: reading the copy: ", ErrnoText()));
    }
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

int RemoveStaleBackups(const std::string& dir) {
  std::error_code ec;
  int removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, kPrefix) && absl::EndsWith(name, kSuffix) &&
        std::filesystem::remove(entry.path(), ec)) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace codex_manager
