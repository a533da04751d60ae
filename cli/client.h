// The CLI's connection to the server: one channel, the service stubs, call
// deadlines, and the mapping from gRPC status codes to the documented exit
// codes.
#ifndef CODEX_MANAGER_CLI_CLIENT_H_
#define CODEX_MANAGER_CLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "codex_manager/v1/approvals.grpc.pb.h"
#include "codex_manager/v1/auth.grpc.pb.h"
#include "codex_manager/v1/codex.grpc.pb.h"
#include "codex_manager/v1/events.grpc.pb.h"
#include "codex_manager/v1/maintenance.grpc.pb.h"
#include "codex_manager/v1/sessions.grpc.pb.h"
#include "codex_manager/v1/turns.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace codex_manager::cli {

// Exit codes (documented in --help and docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,           // success; the followed turn COMPLETED
  kExitTurnFailed = 1,   // turn FAILED/INTERRUPTED/denied, or another error
  kExitUsage = 2,        // bad flags or arguments (INVALID_ARGUMENT)
  kExitUnreachable = 3,  // server unreachable or overloaded (UNAVAILABLE)
  kExitNotFound = 4,     // NOT_FOUND
  kExitAuth = 5,         // UNAUTHENTICATED or PERMISSION_DENIED
};

struct Options {
  std::string addr;
  bool json = false;
  // Bearer token secret; see ResolveToken for where it comes from.
  std::string token;
  // A file holding the token (first line).
  std::string token_file;
  // PEM CA bundle: connect with TLS, verifying the server against it.
  std::string ca_file;
  // PEM client certificate and key for mTLS (with ca_file).
  std::string cert_file;
  std::string key_file;
  // Deadline of each unary call; zero: none.
  std::chrono::milliseconds timeout{10000};
};

// The token to send, in this order: --token, --token-file,
// $CODEX_MANAGER_TOKEN, $CODEX_MANAGER_TOKEN_FILE, and — only for a loopback
// address — the default data dir's admin.token
// (${XDG_STATE_HOME:-~/.local/state}/codex-manager/admin.token), so the
// quick start needs no typing. Empty when none is found. A file that
// cannot be read is an error (the message names it).
absl::StatusOr<std::string> ResolveToken(const Options& options);

// Channel credentials: TLS when ca_file is set (mTLS with cert/key files),
// else plaintext. INVALID_ARGUMENT naming the flag when a file is unreadable.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const Options& options);

class Client {
 public:
  // `credentials` from ChannelCredentials; `token` from ResolveToken.
  Client(const Options& options,
         std::shared_ptr<grpc::ChannelCredentials> credentials,
         std::string token);

  // A context with the unary deadline set.
  std::unique_ptr<grpc::ClientContext> Context() const;
  // A context for a stream: no deadline.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;

  const Options& options() const { return options_; }
  v1::SessionService::Stub& sessions() { return *sessions_; }
  v1::TurnService::Stub& turns() { return *turns_; }
  v1::ApprovalService::Stub& approvals() { return *approvals_; }
  v1::StreamService::Stub& streams() { return *streams_; }
  grpc::health::v1::Health::Stub& health() { return *health_; }
  v1::AuthService::Stub& auth() { return *auth_; }
  v1::AuditService::Stub& audit() { return *audit_; }
  v1::CodexService::Stub& codex() { return *codex_; }
  v1::MaintenanceService::Stub& maintenance() { return *maintenance_; }

 private:
  Options options_;
  const std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> sessions_;
  std::unique_ptr<v1::TurnService::Stub> turns_;
  std::unique_ptr<v1::ApprovalService::Stub> approvals_;
  std::unique_ptr<v1::StreamService::Stub> streams_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  std::unique_ptr<v1::AuthService::Stub> auth_;
  std::unique_ptr<v1::AuditService::Stub> audit_;
  std::unique_ptr<v1::CodexService::Stub> codex_;
  std::unique_ptr<v1::MaintenanceService::Stub> maintenance_;
};

// Installs log handlers. Protobuf's complaint that a string field being
// sent is not UTF-8 is dropped, since the server answers that call with
// INVALID_ARGUMENT naming the field (which Fail prints); anything else it
// logs goes to stderr as "protobuf: …". gRPC core's own lines are dropped
// unless GRPC_VERBOSITY or GRPC_TRACE is set: a failed call's status says
// what they would. Call once at start.
void RouteLibraryLogs();

// The address the CLI's client dials (set by Client), for messages.
std::string& ServerAddress();

// Prints "error: <code>: <message>" to stderr, with a hint for
// UNAVAILABLE (the address) and UNAUTHENTICATED (where tokens come from),
// and returns the exit code for the status.
int Fail(const grpc::Status& status);
int ExitCodeFor(const grpc::Status& status);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_CLIENT_H_
