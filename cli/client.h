// The CLI's connection to the server: one channel, the service stubs, call
// deadlines, and the mapping from gRPC status codes to the documented exit
// codes.
#ifndef CODEX_MANAGER_CLI_CLIENT_H_
#define CODEX_MANAGER_CLI_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "codex_manager/v1/approvals.grpc.pb.h"
#include "codex_manager/v1/events.grpc.pb.h"
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
};

struct Options {
  std::string addr;
  bool json = false;
  // Deadline of each unary call.
  std::chrono::milliseconds timeout{10000};
};

class Client {
 public:
  explicit Client(const Options& options);

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

 private:
  Options options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SessionService::Stub> sessions_;
  std::unique_ptr<v1::TurnService::Stub> turns_;
  std::unique_ptr<v1::ApprovalService::Stub> approvals_;
  std::unique_ptr<v1::StreamService::Stub> streams_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

// Prints "error: <code>: <message>" to stderr and returns the exit code for
// the status.
int Fail(const grpc::Status& status);
int ExitCodeFor(const grpc::Status& status);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_CLIENT_H_
