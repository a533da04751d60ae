#include "common/listen_probe.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {

absl::Status ProbeListenAddress(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return absl::OkStatus();
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::OkStatus();
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port == "0") return absl::OkStatus();
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints,
                  &found) != 0) {
    return absl::OkStatus();
  }
  bool in_use = false;
  for (addrinfo* ai = found; ai != nullptr && !in_use; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    // As gRPC binds: SO_REUSEADDR lets a port in TIME_WAIT be taken, never
    // one another socket listens on.
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno == EADDRINUSE) {
      in_use = true;
    }
    close(fd);
  }
  freeaddrinfo(found);
  if (in_use) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--listen ", listen,
        ": address already in use (another server, perhaps another "
        "codex-manager-server, listens there); stop it or choose another "
        "--listen"));
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
