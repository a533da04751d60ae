// `codex-manager backup FILE`: MaintenanceService.Backup into a file.
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "commands.h"
#include "nlohmann/json.hpp"
#include "render.h"

namespace codex_manager::cli {
namespace {

// Writes all of `data` to `fd`; false with errno set on failure.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The file being written: FILE.partial (0600: the backup holds every
// transcript), renamed onto FILE once whole, removed otherwise.
class Output {
 public:
  explicit Output(const std::string& path)
      : path_(path), partial_(path + ".partial") {}
  ~Output() {
    if (fd_ >= 0 && !to_stdout()) {
      ::close(fd_);
      ::unlink(partial_.c_str());
    }
  }

  bool to_stdout() const { return path_ == "-"; }

  // Opens it; an error message when it cannot.
  std::string Open() {
    if (to_stdout()) {
      fd_ = STDOUT_FILENO;
      return "";
    }
    fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                 0600);
    if (fd_ < 0 || ::fchmod(fd_, 0600) != 0) return Error(partial_);
    return "";
  }
  std::string Write(const std::string& data) {
    return WriteAll(fd_, data) ? "" : Error(to_stdout() ? "stdout" : partial_);
  }
  // Makes the file durable and puts it in place.
  std::string Commit() {
    if (to_stdout()) {
      fd_ = -1;
      return "";
    }
    if (::fsync(fd_) != 0) return Error(partial_);
    ::close(fd_);
    fd_ = -1;
    if (::rename(partial_.c_str(), path_.c_str()) != 0) {
      const std::string error = Error(path_);
      ::unlink(partial_.c_str());
      return error;
    }
    return "";
  }

 private:
  static std::string Error(const std::string& what) {
    return "cannot write " + what + ": " + std::strerror(errno);
  }

  const std::string path_;
  const std::string partial_;
  int fd_ = -1;
};

std::string HexDigest(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, digest, &size);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace

int Backup(Client& client, const std::string& path) {
  Output out(path);
  if (out.to_stdout() && isatty(STDOUT_FILENO)) {
    // As gzip -c: a database is not for a terminal.
    std::cerr << "error: standard output is a terminal; redirect it (backup - "
                 "> FILE) or name a FILE\n";
    return kExitUsage;
  }
  if (std::string error = out.Open(); !error.empty()) {
    std::cerr << "error: " << error << "\n";
    return kExitTurnFailed;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> hash(
      EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(hash.get(), EVP_sha256(), nullptr);

  auto context = client.StreamContext();
  auto reader = client.maintenance().Backup(context.get(), v1::BackupRequest());
  v1::BackupChunk chunk, first;
  std::string server_sha256, error;
  int64_t bytes = 0;
  bool any = false;
  while (reader->Read(&chunk)) {
    if (!any) first = chunk;
    any = true;
    bytes += static_cast<int64_t>(chunk.data().size());
    EVP_DigestUpdate(hash.get(), chunk.data().data(), chunk.data().size());
    if (!chunk.sha256().empty()) server_sha256 = chunk.sha256();
    if (error.empty()) error = out.Write(chunk.data());
    if (!error.empty()) context->TryCancel();
  }
  grpc::Status status = reader->Finish();
  if (!error.empty()) {
    std::cerr << "error: " << error << "\n";
    return kExitTurnFailed;
  }
  if (!status.ok()) return Fail(status);
  const std::string sha256 = HexDigest(hash.get());
  if (bytes != first.total_bytes() || sha256 != server_sha256) {
    std::cerr << "error: the backup arrived damaged (" << bytes << " of "
              << first.total_bytes() << " bytes, SHA-256 " << sha256
              << " where the server's is " << server_sha256 << ")"
              << (out.to_stdout() ? "" : "; nothing was written") << "\n";
    return kExitTurnFailed;
  }
  if (std::string commit_error = out.Commit(); !commit_error.empty()) {
    std::cerr << "error: " << commit_error << "\n";
    return kExitTurnFailed;
  }
  if (client.options().json && !out.to_stdout()) {
    std::cout << nlohmann::json{{"path", path},
                                {"bytes", bytes},
                                {"sessions", first.sessions()},
                                {"lastEventId", first.last_event_id()},
                                {"sha256", sha256}}
                     .dump()
              << "\n";
  } else {
    std::cerr << "wrote " << (out.to_stdout() ? "the backup" : path) << ": "
              << bytes << " bytes, " << first.sessions()
              << (first.sessions() == 1 ? " session" : " sessions")
              << ", events through " << first.last_event_id() << " (sha256 "
              << sha256 << ")\n";
  }
  return kExitOk;
}

}  // namespace codex_manager::cli
