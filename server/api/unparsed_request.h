// What a call gets whose request gRPC could not parse into the method's
// message: a string field that is not UTF-8 (proto3 strings must be; the
// Protobuf runtime refuses the message) or a broken encoding. gRPC's
// callback API never runs such a call's handler and answers an empty
// UNIMPLEMENTED, as for a method that does not exist; the call interceptor
// (api/call_interceptor.h) and StreamEventBatches (which parses its own
// request) answer this instead.
#ifndef CODEX_MANAGER_SERVER_API_UNPARSED_REQUEST_H_
#define CODEX_MANAGER_SERVER_API_UNPARSED_REQUEST_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace codex_manager {

// The INVALID_ARGUMENT for a request to `method` ("/pkg.Service/Method")
// that could not be parsed. `invalid_utf8_field`: the full name of the
// string field Protobuf found not UTF-8 (TakeInvalidUtf8Field,
// api/library_logs.h), or empty. The message names that field ("prompt:
// not valid UTF-8 (codex_manager.v1.StartTurnRequest.prompt is …)") when
// the method's request holds it, else the request's type ("request: not a
// valid codex_manager.v1.ListSessionsRequest …").
absl::Status UnparsedRequestStatus(absl::string_view method,
                                   absl::string_view invalid_utf8_field);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_UNPARSED_REQUEST_H_
