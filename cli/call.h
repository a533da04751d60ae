// Unary calls that print their result: as the proto JSON mapping with
// --json, else through a printer for people.
#ifndef CODEX_MANAGER_CLI_CALL_H_
#define CODEX_MANAGER_CLI_CALL_H_

#include "client.h"
#include "render.h"

namespace codex_manager::cli {

// Prints a unary result (JSON or for people) or fails.
template <typename Message, typename PrintFn>
int Show(const Client& client, const grpc::Status& status,
         const Message& message, PrintFn print) {
  if (!status.ok()) return Fail(status);
  if (client.options().json) {
    PrintJson(message);
  } else {
    print(message);
  }
  return kExitOk;
}

// One unary call with the client's deadline, printed by `print` (or as JSON).
template <typename Stub, typename Request, typename Response, typename PrintFn>
int CallAndShow(const Client& client, Stub& stub,
                grpc::Status (Stub::*method)(grpc::ClientContext*,
                                             const Request&, Response*),
                const Request& request, PrintFn print) {
  Response response;
  grpc::Status status =
      (stub.*method)(client.Context().get(), request, &response);
  return Show(client, status, response, print);
}

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_CALL_H_
