// The log messages of the libraries the server links, gRPC core (gpr_log)
// and Protobuf (GOOGLE_LOG), routed into the server's own log
// (common/log.h): without this they are bare lines on stderr ("E1207
// 02:12:12 … chttp2_server.cc …", "[libprotobuf ERROR …]") amid the JSON
// ones, which a log shipper cannot parse.
//
// A line is written with "msg":"grpc" or "msg":"protobuf", the library's
// text in "message" and its source location in "source"; gRPC's own level
// filter (GRPC_VERBOSITY, default ERROR) still applies before ours.
//
// One Protobuf message is kept instead of logged: the string field that
// was not valid UTF-8 when a request was parsed (proto3 strings must be).
// gRPC then fails the call with an empty UNIMPLEMENTED; the call
// interceptor (api/call_interceptor.h) takes the field's name from here,
// on the thread that parsed the request, to answer INVALID_ARGUMENT naming
// it.
#ifndef CODEX_MANAGER_SERVER_API_LIBRARY_LOGS_H_
#define CODEX_MANAGER_SERVER_API_LIBRARY_LOGS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace codex_manager {

// Installs the handlers. Call once at start, before any other thread.
void RouteLibraryLogs();

// The full name of the last string field Protobuf found not valid UTF-8
// while parsing on this thread (e.g. "codex_manager.v1.StartTurnRequest.
// prompt"), cleared; empty when there was none since the last call.
std::string TakeInvalidUtf8Field();

// Handles one Protobuf log message as the installed handler does (for
// tests): a parse's invalid UTF-8 field is kept for TakeInvalidUtf8Field,
// anything else is logged.
void HandleProtobufMessage(int level, absl::string_view source,
                           absl::string_view message);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_LIBRARY_LOGS_H_
