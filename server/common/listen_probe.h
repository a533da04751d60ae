// Whether the address a server is to listen on is free, checked before the
// server touches its data dir: a second server started on a busy port
// exits at once with nothing written (the port is bound for real later,
// by gRPC, which can still fail: this is a check, not a reservation).
#ifndef CODEX_MANAGER_SERVER_COMMON_LISTEN_PROBE_H_
#define CODEX_MANAGER_SERVER_COMMON_LISTEN_PROBE_H_

#include <string>

#include "absl/status/status.h"

namespace codex_manager {

// `listen` is "host:port" or "[v6]:port". FAILED_PRECONDITION "--listen
// ADDRESS: address already in use (…)" when a socket of this machine
// listens there; OK otherwise, and for port 0, "unix:" addresses and
// names that do not resolve (gRPC then says what is wrong).
absl::Status ProbeListenAddress(const std::string& listen);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_LISTEN_PROBE_H_
